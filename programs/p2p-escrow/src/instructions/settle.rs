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
pub struct Settle<'info> {
    /// The trade's buyer, agreeing to the split; pays for missing token accounts.
    #[account(mut)]
    pub buyer: Signer<'info>,
    /// The trade's seller, agreeing to the split.
    #[account(mut)]
    pub seller: Signer<'info>,
    /// The arbiter in charge of the dispute, whose case closes without a fee.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
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

impl Settle<'_> {
    pub fn validate(&self, buyer_bps: u16) -> Result<()> {
        let dispute = self.trade.open_dispute()?;
        require_keys_eq!(
            dispute.arbiter,
            self.arbiter.authority,
            EscrowError::ArbiterMismatch
        );
        require!(buyer_bps <= BPS_DENOMINATOR, EscrowError::InvalidBps);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, buyer_bps: u16) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let tokens = TokenAccounts {
            vault: &accounts.vault,
            mint: &accounts.mint,
            buyer_token_account: accounts.buyer_token_account.to_account_info(),
            holding: accounts.holding.to_account_info(),
            payer: accounts.buyer.to_account_info(),
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
            Resolution::Settled,
            0,
            buyer_bps,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
