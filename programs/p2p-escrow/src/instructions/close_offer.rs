use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::OFFER_SEED;
use crate::errors::EscrowError;
use crate::events::OfferClosed;
use crate::state::Offer;
use crate::token::ProgramTokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct CloseOffer<'info> {
    /// The offer's seller; receives the tokens, the rent of the offer and its vault, and any bond
    /// that waited on the offer.
    #[account(mut)]
    pub seller: Signer<'info>,
    /// The offer to close.
    #[account(
        mut,
        close = seller,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = seller @ EscrowError::NotSeller,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The offer's vault, emptied and closed here.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's mint; receives the vault's withheld transfer fees, if any.
    #[account(mut)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The seller's associated token account, receiving everything left in the vault.
    #[account(
        init_if_needed,
        payer = seller,
        associated_token::mint = mint,
        associated_token::authority = seller,
        associated_token::token_program = token_program,
    )]
    pub seller_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a recipient that requires one.
    pub memo_program: Program<'info, Memo>,
    /// Creates the seller's token account if needed.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// Creates the seller's token account if needed.
    pub system_program: Program<'info, System>,
}

impl CloseOffer<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(self.offer.locked == 0, EscrowError::OfferHasLockedTrades);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &*ctx.accounts;
        let seeds = accounts.offer.signer_seeds();
        let returned = ProgramTokenAccount {
            account: accounts.vault.to_account_info(),
            authority: accounts.offer.to_account_info(),
            seeds: &seeds.seeds(),
            mint: &accounts.mint,
            token_program: accounts.token_program.to_account_info(),
            memo_program: accounts.memo_program.to_account_info(),
        }
        .close(
            Some(&accounts.seller_token_account.to_account_info()),
            &accounts.seller.to_account_info(),
        )?;
        let event = OfferClosed {
            offer: accounts.offer.key(),
            seller: accounts.seller.key(),
            returned,
        };
        emit_cpi!(event);
        Ok(())
    }
}
