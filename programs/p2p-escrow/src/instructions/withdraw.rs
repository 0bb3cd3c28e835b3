use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
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
    /// The offer's seller; pays for its token account if it has to be created.
    #[account(mut)]
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
    /// The seller's associated token account, receiving the tokens.
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
        .pay(&accounts.seller_token_account.to_account_info(), amount)?;
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
