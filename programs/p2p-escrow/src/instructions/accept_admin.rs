use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
use crate::events::AdminTransferred;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin, accepting the role.
    pub new_admin: Signer<'info>,
    /// The protocol config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
}

impl AcceptAdmin<'_> {
    pub fn validate(&self) -> Result<()> {
        let pending = self
            .config
            .pending_admin
            .ok_or(EscrowError::NoPendingAdmin)?;
        require_keys_eq!(pending, self.new_admin.key(), EscrowError::NotPendingAdmin);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let config = &mut ctx.accounts.config;
        let previous_admin = config.admin;
        config.admin = ctx.accounts.new_admin.key();
        config.pending_admin = None;
        config.invariant()?;
        let event = AdminTransferred {
            previous_admin,
            admin: config.admin,
        };
        emit_cpi!(event);
        Ok(())
    }
}
