use anchor_lang::prelude::*;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::OFFER_SEED;
use crate::errors::EscrowError;
use crate::events::OfferWithdrawn;
use crate::state::Offer;
use crate::token::{balance_of, ProgramTokenAccount};

#[event_cpi]
#[derive(Accounts)]
pub struct Withdraw<'info> {
    /// The offer's seller.
    pub seller: Signer<'info>,
    /// The offer to take tokens out of.
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
    /// The offer's mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Any token account of the mint the seller chooses (usually its associated one), receiving
    /// the tokens.
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a recipient that requires one.
    pub memo_program: Program<'info, Memo>,
}

impl Withdraw<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, EscrowError::ZeroAmount);
        require!(
            amount <= self.offer.available,
            EscrowError::InsufficientAvailable
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, amount: u64) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let seeds = accounts.offer.signer_seeds();
        ProgramTokenAccount {
            account: accounts.vault.to_account_info(),
            authority: accounts.offer.to_account_info(),
            seeds: &seeds.seeds(),
            mint: &accounts.mint,
            token_program: accounts.token_program.to_account_info(),
            memo_program: accounts.memo_program.to_account_info(),
        }
        .pay(&accounts.destination.to_account_info(), amount)?;
        let offer = &mut accounts.offer;
        offer.available = offer
            .available
            .checked_sub(amount)
            .ok_or(EscrowError::InsufficientAvailable)?;
        offer.invariant(balance_of(&accounts.vault.to_account_info())?)?;
        let event = OfferWithdrawn {
            offer: offer.key(),
            withdrawn: amount,
            available: offer.available,
        };
        emit_cpi!(event);
        Ok(())
    }
}
