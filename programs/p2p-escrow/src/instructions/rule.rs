use anchor_lang::prelude::*;
use anchor_spl::associated_token::{get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ARBITER_SEED, BPS_DENOMINATOR, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::Resolution;
use crate::settlement::{TokenAccounts, TradeEnd};
use crate::state::{Arbiter, Offer, Trade};

#[event_cpi]
#[derive(Accounts)]
pub struct Rule<'info> {
    /// The arbiter now in charge of the dispute; pays for missing token accounts.
    #[account(mut)]
    pub arbiter_authority: Signer<'info>,
    /// The arbiter's registry account.
    #[account(
        mut,
        seeds = [ARBITER_SEED, arbiter.authority.as_ref()],
        bump = arbiter.bump,
        constraint = arbiter.authority == arbiter_authority.key() @ EscrowError::NotTradeArbiter,
    )]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// The arbiter's associated token account, receiving its fee.
    #[account(
        init_if_needed,
        payer = arbiter_authority,
        associated_token::mint = mint,
        associated_token::authority = arbiter_authority,
        associated_token::token_program = token_program,
    )]
    pub arbiter_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
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
    /// The disputed trade, closed here (or left `Settled` with what the buyer could not receive).
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

impl Rule<'_> {
    pub fn validate(&self, buyer_bps: u16) -> Result<()> {
        let dispute = self.trade.open_dispute()?;
        require_keys_eq!(
            dispute.arbiter,
            self.arbiter_authority.key(),
            EscrowError::NotTradeArbiter
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now <= dispute.ruling_deadline,
            EscrowError::RulingDeadlinePassed
        );
        require!(buyer_bps <= BPS_DENOMINATOR, EscrowError::InvalidBps);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, buyer_bps: u16) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let arbiter_fee_bps = accounts.trade.arbiter_fee_bps;
        let tokens = TokenAccounts {
            vault: &accounts.vault,
            mint: &accounts.mint,
            buyer_token_account: accounts.buyer_token_account.to_account_info(),
            holding: accounts.holding.to_account_info(),
            payer: accounts.arbiter_authority.to_account_info(),
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
            Some(&accounts.arbiter_token_account),
            Resolution::Ruled,
            arbiter_fee_bps,
            buyer_bps,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
