use anchor_lang::prelude::*;

use crate::constants::{ARBITER_SEED, CONFIG_SEED, MAX_ARBITER_FEE_BPS};
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

/// Arguments of `update_arbiter`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateArbiterArgs {
    /// The arbiter's fee on trades taken from now on, in basis points of the trade amount; at
    /// most `MAX_ARBITER_FEE_BPS`.
    pub fee_bps: u16,
    /// Whether new offers and trades may name the arbiter; open cases stay with it either way.
    pub active: bool,
}

impl UpdateArbiter<'_> {
    pub fn validate(&self, args: &UpdateArbiterArgs) -> Result<()> {
        require!(
            args.fee_bps <= MAX_ARBITER_FEE_BPS,
            EscrowError::ArbiterFeeTooHigh
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, args: UpdateArbiterArgs) -> Result<()> {
        let UpdateArbiterArgs { fee_bps, active } = args;
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
