use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ARBITER_SEED, CONFIG_SEED, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::{DisputeEscalated, Resolution};
use crate::math::deadline;
use crate::settlement::DisputeEnd;
use crate::state::{Arbiter, Config, Offer, Trade};

#[event_cpi]
#[derive(Accounts)]
pub struct Escalate<'info> {
    /// Anyone, once the ruling deadline has passed; pays for the buyer's token account if missing.
    #[account(mut)]
    pub cranker: Signer<'info>,
    /// The protocol config: fallback arbiter, ruling window, default ruling.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The arbiter that missed the deadline.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// CHECK: the address of the config's fallback arbiter account (checked in `validate`). It may
    /// not exist or be inactive, in which case the default ruling applies at once.
    #[account(mut)]
    pub fallback_arbiter: UncheckedAccount<'info>,
    /// The trade's offer; the seller's share returns to it on a default ruling.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The disputed trade; closed on a default ruling, its rent to the buyer.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.offer.as_ref(), &trade.trade_index.to_le_bytes()],
        bump = trade.bump,
        has_one = offer @ EscrowError::OfferMismatch,
        has_one = buyer @ EscrowError::NotBuyer,
        has_one = seller @ EscrowError::NotSeller,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The trade's buyer.
    #[account(mut)]
    pub buyer: SystemAccount<'info>,
    /// The buyer's associated token account, receiving the buyer's share on a default ruling.
    #[account(
        init_if_needed,
        payer = cranker,
        associated_token::mint = mint,
        associated_token::authority = buyer,
        associated_token::token_program = token_program,
    )]
    pub buyer_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The trade's seller, who receives the bond if the default ruling gives the buyer nothing.
    #[account(mut)]
    pub seller: SystemAccount<'info>,
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
        let (fallback, _) = Pubkey::find_program_address(
            &[ARBITER_SEED, self.config.fallback_arbiter.as_ref()],
            &crate::ID,
        );
        require_keys_eq!(
            fallback,
            self.fallback_arbiter.key(),
            EscrowError::FallbackArbiterMismatch
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now > dispute.ruling_deadline,
            EscrowError::RulingDeadlineNotReached
        );
        Ok(())
    }

    /// The fallback arbiter, when the dispute can go to it: not escalated yet, and the fallback is
    /// registered, active, neither party, and not the arbiter that just missed its deadline.
    fn fallback(&self) -> Result<Option<Arbiter>> {
        let escalated = self.trade.dispute.as_ref().is_some_and(|d| d.escalated);
        let info = &self.fallback_arbiter;
        if escalated || info.owner != &crate::ID || info.data_is_empty() {
            return Ok(None);
        }
        let fallback = Arbiter::try_deserialize(&mut &info.try_borrow_data()?[..])?;
        let authority = fallback.authority;
        let usable = fallback.active
            && authority != self.arbiter.authority
            && authority != self.trade.buyer
            && authority != self.trade.seller;
        Ok(usable.then_some(fallback))
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        match ctx.accounts.fallback()? {
            Some(fallback) => Self::hand_over(ctx, fallback),
            None => Self::default_ruling(ctx),
        }
    }

    /// Moves the dispute to the fallback arbiter with a fresh ruling window.
    fn hand_over(ctx: Context<'_, Self>, mut fallback: Arbiter) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let ruling_deadline = deadline(now, accounts.config.ruling_window)?;

        let missed = &mut accounts.arbiter;
        missed.close_case()?;
        missed.missed_deadlines = missed
            .missed_deadlines
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        missed.invariant()?;
        fallback.open_cases = fallback
            .open_cases
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        fallback.invariant()?;
        fallback.try_serialize(&mut &mut accounts.fallback_arbiter.try_borrow_mut_data()?[..])?;

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

    /// Ends the dispute with the config's default ruling, without an arbiter fee, and closes the
    /// trade.
    fn default_ruling(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let event = DisputeEnd {
            offer: &mut accounts.offer,
            trade: &accounts.trade,
            arbiter: &mut accounts.arbiter,
            vault: &accounts.vault,
            mint: &accounts.mint,
            token_program: &accounts.token_program,
            memo_program: &accounts.memo_program,
            buyer_token_account: &accounts.buyer_token_account,
            arbiter_token_account: None,
            seller: accounts.seller.to_account_info(),
        }
        .resolve(
            Resolution::DefaultRuling,
            0,
            accounts.config.default_buyer_bps,
        )?;
        accounts.trade.close(accounts.buyer.to_account_info())?;
        emit_cpi!(event);
        Ok(())
    }
}
