use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::OFFER_SEED;
use crate::errors::EscrowError;
use crate::events::OfferDeposited;
use crate::state::Offer;
use crate::token::{balance_of, check_mint_policy, receive_into_vault};

#[event_cpi]
#[derive(Accounts)]
pub struct Deposit<'info> {
    /// The offer's seller.
    pub seller: Signer<'info>,
    /// The offer to fund.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = seller @ EscrowError::NotSeller,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The offer's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's mint; its policy is checked at every deposit, as wherever tokens enter escrow.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The seller's token account the deposit comes from.
    #[account(
        mut,
        token::mint = mint,
        token::authority = seller,
        token::token_program = token_program,
    )]
    pub seller_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

impl Deposit<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, EscrowError::ZeroAmount);
        check_mint_policy(&self.mint.to_account_info())
    }

    pub fn handler(ctx: Context<'_, Self>, amount: u64) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let deposited = receive_into_vault(
            &accounts.vault,
            &accounts.mint,
            &accounts.token_program,
            &accounts.seller_token_account,
            &accounts.seller,
            amount,
        )?;
        let offer = &mut accounts.offer;
        offer.available = offer
            .available
            .checked_add(deposited)
            .ok_or(EscrowError::MathOverflow)?;
        offer.invariant(balance_of(&accounts.vault.to_account_info())?)?;
        let event = OfferDeposited {
            offer: offer.key(),
            deposited,
            available: offer.available,
        };
        emit_cpi!(event);
        Ok(())
    }
}
