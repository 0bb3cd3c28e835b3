use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::AdminTransferProposed;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    /// The protocol admin.
    pub admin: Signer<'info>,
    /// The protocol config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ EscrowError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
}

impl ProposeAdmin<'_> {
    pub fn validate(&self, new_admin: &Pubkey) -> Result<()> {
        require_keys_neq!(*new_admin, self.admin.key(), EscrowError::AdminUnchanged);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, new_admin: Pubkey) -> Result<()> {
        let config = &mut ctx.accounts.config;
        config.pending_admin = Some(new_admin);
        config.invariant()?;
        let event = AdminTransferProposed {
            admin: config.admin,
            pending_admin: new_admin,
        };
        emit_cpi!(event);
        Ok(())
    }
}
