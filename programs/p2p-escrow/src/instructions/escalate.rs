use anchor_lang::prelude::*;
use anchor_spl::associated_token::{get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ARBITER_SEED, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::{DisputeEscalated, Resolution};
use crate::math::deadline;
use crate::settlement::{TokenAccounts, TradeEnd};
use crate::state::{Arbiter, Offer, Trade};

#[event_cpi]
#[derive(Accounts)]
pub struct Escalate<'info> {
    /// Anyone, once the ruling deadline has passed; pays for missing token accounts.
    #[account(mut)]
    pub cranker: Signer<'info>,
    /// The arbiter that missed the deadline.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// The trade's fallback arbiter (fixed at take), given when the dispute goes to it: the first
    /// escalation of a trade that has one. Omitted otherwise, and the default ruling applies.
    #[account(mut, seeds = [ARBITER_SEED, fallback_arbiter.authority.as_ref()], bump = fallback_arbiter.bump)]
    pub fallback_arbiter: Option<Box<Account<'info, Arbiter>>>,
    /// The trade's offer; the seller's share returns to its available tokens.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The disputed trade; on a default ruling closed (or left `Settled` with what the buyer could not receive).
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = offer @ EscrowError::OfferMismatch,
        has_one = buyer @ EscrowError::NotBuyer,
        has_one = seller @ EscrowError::NotSeller,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// CHECK: the trade's buyer (checked against the trade); only receives the trade's rent and
    /// bond, so any account will do. Should it be unable to take lamports, they wait on the trade
    /// for the buyer's claim.
    #[account(mut)]
    pub buyer: UncheckedAccount<'info>,
    /// CHECK: the buyer's associated token account (address checked), created if missing and the
    /// buyer gets a share; when it cannot receive, the share goes to the holding account instead.
    /// Untouched when the buyer gets nothing.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&trade.buyer, &mint.key(), &token_program.key())
            @ EscrowError::BuyerTokenAccountMismatch,
    )]
    pub buyer_token_account: UncheckedAccount<'info>,
    /// CHECK: the trade's holding account, its associated token account (address checked); created
    /// and used only when the buyer's token account cannot receive.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&trade.key(), &mint.key(), &token_program.key())
            @ EscrowError::HoldingAccountMismatch,
    )]
    pub holding: UncheckedAccount<'info>,
    /// CHECK: the trade's seller (checked against the trade); only receives the bond when the buyer
    /// gets nothing, so any account will do. Should it be unable to take lamports, the bond waits
    /// on the offer for the seller.
    #[account(mut)]
    pub seller: UncheckedAccount<'info>,
    /// The offer's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a recipient that requires one.
    pub memo_program: Program<'info, Memo>,
    /// Creates missing token accounts.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// Creates missing token accounts.
    pub system_program: Program<'info, System>,
}

impl Escalate<'_> {
    pub fn validate(&self) -> Result<()> {
        let dispute = self.trade.open_dispute()?;
        require_keys_eq!(
            dispute.arbiter,
            self.arbiter.authority,
            EscrowError::ArbiterMismatch
        );
        let expected = self.hand_over_to();
        require!(
            expected == self.fallback_arbiter.as_ref().map(|f| f.authority),
            EscrowError::FallbackArbiterMismatch
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now > dispute.ruling_deadline,
            EscrowError::RulingDeadlineNotReached
        );
        Ok(())
    }

    /// Who the dispute goes to now: the trade's fallback arbiter (fixed at take) on its first
    /// escalation, nobody after that (the default ruling fixed at take applies).
    fn hand_over_to(&self) -> Option<Pubkey> {
        let escalated = self.trade.dispute.as_ref().is_some_and(|d| d.escalated);
        self.trade.fallback_arbiter.filter(|_| !escalated)
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        if ctx.accounts.hand_over_to().is_some() {
            Self::hand_over(ctx)
        } else {
            Self::default_ruling(ctx)
        }
    }

    /// Moves the dispute to the fallback arbiter with a fresh ruling window.
    fn hand_over(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let ruling_deadline = deadline(now, accounts.trade.ruling_window)?;

        let missed = &mut accounts.arbiter;
        missed.close_case()?;
        missed.missed_deadlines = missed
            .missed_deadlines
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        missed.invariant()?;
        let fallback = accounts
            .fallback_arbiter
            .as_mut()
            .ok_or(EscrowError::FallbackArbiterMismatch)?;
        fallback.open_cases = fallback
            .open_cases
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        fallback.invariant()?;

        let trade = &mut accounts.trade;
        let dispute = trade.open_dispute_mut()?;
        dispute.arbiter = fallback.authority;
        dispute.ruling_deadline = ruling_deadline;
        dispute.escalated = true;
        trade.invariant()?;
        let event = DisputeEscalated {
            trade: trade.key(),
            cranked_by: accounts.cranker.key(),
            previous_arbiter: missed.authority,
            arbiter: fallback.authority,
            ruling_deadline,
        };
        emit_cpi!(event);
        Ok(())
    }

    /// Ends the dispute with the default ruling fixed at take, without an arbiter fee.
    fn default_ruling(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let default_buyer_bps = accounts.trade.default_buyer_bps;
        let tokens = TokenAccounts {
            vault: &accounts.vault,
            mint: &accounts.mint,
            buyer_token_account: accounts.buyer_token_account.to_account_info(),
            holding: accounts.holding.to_account_info(),
            payer: accounts.cranker.to_account_info(),
            token_program: accounts.token_program.to_account_info(),
            memo_program: accounts.memo_program.to_account_info(),
            associated_token_program: accounts.associated_token_program.to_account_info(),
            system_program: accounts.system_program.to_account_info(),
        };
        let (event, held) = TradeEnd {
            offer: &mut accounts.offer,
            trade: &mut accounts.trade,
            buyer: accounts.buyer.to_account_info(),
            seller: Some(accounts.seller.to_account_info()),
        }
        .resolve(
            tokens,
            &mut accounts.arbiter,
            None,
            Resolution::DefaultRuling,
            0,
            default_buyer_bps,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
