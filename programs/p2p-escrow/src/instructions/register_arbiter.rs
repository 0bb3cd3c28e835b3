use anchor_lang::prelude::*;

use crate::constants::{ARBITER_SEED, CONFIG_SEED, MAX_ARBITER_FEE_BPS};
use crate::errors::EscrowError;
use crate::events::ArbiterRegistered;
use crate::pda::create_pda_account;
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
    /// CHECK: the arbiter account's address (seeds checked); created here by
    /// `create_pda_account`, which refuses an existing account.
    #[account(mut, seeds = [ARBITER_SEED, authority.key().as_ref()], bump)]
    pub arbiter: UncheckedAccount<'info>,
    /// Creates the arbiter account.
    pub system_program: Program<'info, System>,
}

/// Arguments of `register_arbiter`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterArbiterArgs {
    /// The arbiter's fee on disputed trades, in basis points of the trade amount; at most
    /// `MAX_ARBITER_FEE_BPS`.
    pub fee_bps: u16,
}

impl RegisterArbiter<'_> {
    pub fn validate(&self, args: &RegisterArbiterArgs) -> Result<()> {
        require!(
            args.fee_bps <= MAX_ARBITER_FEE_BPS,
            EscrowError::ArbiterFeeTooHigh
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, args: RegisterArbiterArgs) -> Result<()> {
        let RegisterArbiterArgs { fee_bps } = args;
        let accounts = &ctx.accounts;
        let authority = accounts.authority.key();
        let bump = ctx.bumps.arbiter;
        let arbiter = Arbiter {
            authority,
            fee_bps,
            active: true,
            open_cases: 0,
            rulings: 0,
            missed_deadlines: 0,
            bump,
            room_key: [0; 32],
        };
        arbiter.invariant()?;
        create_pda_account(
            &accounts.admin.to_account_info(),
            &accounts.arbiter.to_account_info(),
            &accounts.system_program.to_account_info(),
            &[ARBITER_SEED, authority.as_ref(), &[bump]],
            &arbiter,
        )?;
        let event = ArbiterRegistered {
            arbiter: accounts.arbiter.key(),
            authority,
            fee_bps,
        };
        emit_cpi!(event);
        Ok(())
    }
}
