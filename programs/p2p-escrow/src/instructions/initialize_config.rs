use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::ConfigInitialized;
use crate::state::{Config, ConfigParams};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    /// The program's upgrade authority; becomes the first admin and pays for the config.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The protocol config, created here once.
    #[account(
        init,
        payer = authority,
        space = Config::DISCRIMINATOR.len() + Config::INIT_SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Box<Account<'info, Config>>,
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
        let config = &mut ctx.accounts.config;
        config.admin = ctx.accounts.authority.key();
        config.pending_admin = None;
        config.new_offers_paused = false;
        config.new_trades_paused = false;
        config.bump = ctx.bumps.config;
        config.apply(params.clone());
        config.invariant()?;
        let event = ConfigInitialized {
            admin: config.admin,
            params,
        };
        emit_cpi!(event);
        Ok(())
    }
}
