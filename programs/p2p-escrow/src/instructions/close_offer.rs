use anchor_lang::prelude::*;
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
    /// Any token account of the mint the seller chooses (usually its associated one), receiving
    /// everything left in the vault.
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a recipient that requires one.
    pub memo_program: Program<'info, Memo>,
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
            Some(&accounts.destination.to_account_info()),
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
