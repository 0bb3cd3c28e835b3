use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ARBITER_SEED, BPS_DENOMINATOR, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::Resolution;
use crate::settlement::DisputeEnd;
use crate::state::{Arbiter, Offer, Trade};

#[event_cpi]
#[derive(Accounts)]
pub struct Settle<'info> {
    /// The trade's buyer, agreeing to the split; pays for its token account if missing.
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
    /// The disputed trade, closed here; its rent goes back to the buyer.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.offer.as_ref(), &trade.trade_index.to_le_bytes()],
        bump = trade.bump,
        close = buyer,
        has_one = offer @ EscrowError::OfferMismatch,
        has_one = buyer @ EscrowError::NotBuyer,
        has_one = seller @ EscrowError::NotSeller,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The buyer's associated token account, receiving the buyer's share.
    #[account(
        init_if_needed,
        payer = buyer,
        associated_token::mint = mint,
        associated_token::authority = buyer,
        associated_token::token_program = token_program,
    )]
    pub buyer_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
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
        .resolve(Resolution::Settled, 0, buyer_bps)?;
        emit_cpi!(event);
        Ok(())
    }
}
