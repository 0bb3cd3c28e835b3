use anchor_lang::prelude::*;

use crate::constants::{ARBITER_SEED, CONFIG_SEED};
use crate::errors::EscrowError;
use crate::events::ArbiterUpdated;
use crate::state::{Arbiter, Config};

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateArbiter<'info> {
    /// The protocol admin.
    pub admin: Signer<'info>,
    /// The protocol config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ EscrowError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The arbiter to change. Trades already taken keep the fee they snapshotted.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
}

impl UpdateArbiter<'_> {
    pub fn handler(ctx: Context<'_, Self>, fee_bps: u16, active: bool) -> Result<()> {
        let arbiter = &mut ctx.accounts.arbiter;
        arbiter.fee_bps = fee_bps;
        arbiter.active = active;
        arbiter.invariant()?;
        let event = ArbiterUpdated {
            arbiter: arbiter.key(),
            authority: arbiter.authority,
            fee_bps,
            active,
        };
        emit_cpi!(event);
        Ok(())
    }
}
