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

/// Arguments of `set_pause`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetPauseArgs {
    /// Whether new offers (`create_offer`) are refused from now on.
    pub new_offers_paused: bool,
    /// Whether new trades (`take_offer`) are refused from now on.
    pub new_trades_paused: bool,
}

impl SetPause<'_> {
    /// Refuses a call that changes nothing (`PauseUnchanged`): an admin acting in an incident
    /// learns that the protocol already was in that state, and no event reports a change that did
    /// not happen.
    pub fn validate(&self, args: &SetPauseArgs) -> Result<()> {
        require!(
            args.new_offers_paused != self.config.new_offers_paused
                || args.new_trades_paused != self.config.new_trades_paused,
            EscrowError::PauseUnchanged
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, args: SetPauseArgs) -> Result<()> {
        let SetPauseArgs {
            new_offers_paused,
            new_trades_paused,
        } = args;
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
