use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::ConfigInitialized;
use crate::pda::create_pda_account;
use crate::state::{Config, ConfigParams};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    /// The program's upgrade authority; becomes the first admin and pays for the config.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: the protocol config's address (seeds checked); created here once, by
    /// `create_pda_account`, which refuses an existing account.
    #[account(mut, seeds = [CONFIG_SEED], bump)]
    pub config: UncheckedAccount<'info>,
    /// The program's ProgramData account, which names its upgrade authority.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(authority.key())
            @ EscrowError::NotUpgradeAuthority,
    )]
    pub program_data: Box<Account<'info, ProgramData>>,
    /// Creates the config.
    pub system_program: Program<'info, System>,
}

impl InitializeConfig<'_> {
    pub fn validate(&self, params: &ConfigParams) -> Result<()> {
        params.validate()
    }

    pub fn handler(ctx: Context<'_, Self>, params: ConfigParams) -> Result<()> {
        let accounts = &ctx.accounts;
        let bump = ctx.bumps.config;
        let config = Config::new(accounts.authority.key(), params.clone(), bump);
        config.invariant()?;
        create_pda_account(
            &accounts.authority.to_account_info(),
            &accounts.config.to_account_info(),
            &accounts.system_program.to_account_info(),
            &[CONFIG_SEED, &[bump]],
            &config,
        )?;
        let event = ConfigInitialized {
            admin: config.admin,
            params,
        };
        emit_cpi!(event);
        Ok(())
    }
}
