use anchor_lang::prelude::*;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::FeesWithdrawn;
use crate::state::Config;
use crate::token::ProgramTokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawFees<'info> {
    /// The protocol admin.
    pub admin: Signer<'info>,
    /// The protocol config, owner of the fee vaults.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ EscrowError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The mint's fee vault, the config's associated token account. It holds protocol fees only:
    /// no escrowed token ever passes through it.
    #[account(
        mut,
        associated_token::mint = mint,
        associated_token::authority = config,
        associated_token::token_program = token_program,
    )]
    pub fee_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Any token account of the mint the admin chooses, receiving the fees.
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a destination that requires one.
    pub memo_program: Program<'info, Memo>,
}

impl WithdrawFees<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, EscrowError::ZeroAmount);
        require!(
            amount <= self.fee_vault.amount,
            EscrowError::InsufficientFees
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, amount: u64) -> Result<()> {
        let accounts = &*ctx.accounts;
        let bump = [accounts.config.bump];
        ProgramTokenAccount {
            account: accounts.fee_vault.to_account_info(),
            authority: accounts.config.to_account_info(),
            seeds: &[CONFIG_SEED, &bump],
            mint: &accounts.mint,
            token_program: accounts.token_program.to_account_info(),
            memo_program: accounts.memo_program.to_account_info(),
        }
        .pay(&accounts.destination.to_account_info(), amount)?;
        let event = FeesWithdrawn {
            admin: accounts.admin.key(),
            mint: accounts.mint.key(),
            fee_vault: accounts.fee_vault.key(),
            destination: accounts.destination.key(),
            amount,
        };
        emit_cpi!(event);
        Ok(())
    }
}
