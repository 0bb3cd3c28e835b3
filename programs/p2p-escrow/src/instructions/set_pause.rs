use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::PauseChanged;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct SetPause<'info> {
    /// The protocol admin.
    pub admin: Signer<'info>,
    /// The protocol config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ EscrowError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
}

impl SetPause<'_> {
    pub fn handler(
        ctx: Context<'_, Self>,
        new_offers_paused: bool,
        new_trades_paused: bool,
    ) -> Result<()> {
        let config = &mut ctx.accounts.config;
        config.new_offers_paused = new_offers_paused;
        config.new_trades_paused = new_trades_paused;
        config.invariant()?;
        let event = PauseChanged {
            admin: config.admin,
            new_offers_paused,
            new_trades_paused,
        };
        emit_cpi!(event);
        Ok(())
    }
}
