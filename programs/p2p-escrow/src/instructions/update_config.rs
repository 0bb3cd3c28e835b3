use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::ConfigUpdated;
use crate::state::{Config, ConfigParams};

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    /// The protocol admin.
    pub admin: Signer<'info>,
    /// The protocol config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ EscrowError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
}

impl UpdateConfig<'_> {
    pub fn validate(&self, params: &ConfigParams) -> Result<()> {
        params.validate()
    }

    pub fn handler(ctx: Context<'_, Self>, params: ConfigParams) -> Result<()> {
        let config = &mut ctx.accounts.config;
        config.apply(params.clone());
        config.invariant()?;
        let event = ConfigUpdated {
            admin: config.admin,
            params,
        };
        emit_cpi!(event);
        Ok(())
    }
}
