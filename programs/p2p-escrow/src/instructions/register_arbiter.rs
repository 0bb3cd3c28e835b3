use anchor_lang::prelude::*;

use crate::constants::{ARBITER_SEED, CONFIG_SEED};
use crate::errors::EscrowError;
use crate::events::ArbiterRegistered;
use crate::state::{Arbiter, Config};

#[event_cpi]
#[derive(Accounts)]
pub struct RegisterArbiter<'info> {
    /// The protocol admin; pays for the arbiter account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The protocol config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ EscrowError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// CHECK: the arbiter's signing key; only its address is stored, and it signs nothing here.
    pub authority: UncheckedAccount<'info>,
    /// The arbiter account, created here.
    #[account(
        init,
        payer = admin,
        space = Arbiter::DISCRIMINATOR.len() + Arbiter::INIT_SPACE,
        seeds = [ARBITER_SEED, authority.key().as_ref()],
        bump,
    )]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// Creates the arbiter account.
    pub system_program: Program<'info, System>,
}

impl RegisterArbiter<'_> {
    pub fn handler(ctx: Context<'_, Self>, fee_bps: u16) -> Result<()> {
        let arbiter = &mut ctx.accounts.arbiter;
        arbiter.authority = ctx.accounts.authority.key();
        arbiter.fee_bps = fee_bps;
        arbiter.active = true;
        arbiter.open_cases = 0;
        arbiter.rulings = 0;
        arbiter.missed_deadlines = 0;
        arbiter.bump = ctx.bumps.arbiter;
        arbiter.invariant()?;
        let event = ArbiterRegistered {
            arbiter: arbiter.key(),
            authority: arbiter.authority,
            fee_bps,
        };
        emit_cpi!(event);
        Ok(())
    }
}
