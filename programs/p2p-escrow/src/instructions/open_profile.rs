use anchor_lang::prelude::*;

use crate::constants::PROFILE_SEED;
use crate::events::ProfileOpened;
use crate::pda::create_pda_account;
use crate::state::Profile;

#[event_cpi]
#[derive(Accounts)]
pub struct OpenProfile<'info> {
    /// The wallet the profile counts for; pays its rent.
    #[account(mut)]
    pub wallet: Signer<'info>,
    /// CHECK: the wallet's profile address (seeds checked); created here by `create_pda_account`,
    /// which accepts an address a stranger pre-funded and refuses an existing account.
    #[account(mut, seeds = [PROFILE_SEED, wallet.key().as_ref()], bump)]
    pub profile: UncheckedAccount<'info>,
    /// Creates the profile.
    pub system_program: Program<'info, System>,
}

impl OpenProfile<'_> {
    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &ctx.accounts;
        let wallet = accounts.wallet.key();
        let bump = ctx.bumps.profile;
        let profile = Profile {
            wallet,
            offers_created: 0,
            trades_taken: 0,
            bump,
        };
        create_pda_account(
            &accounts.wallet.to_account_info(),
            &accounts.profile.to_account_info(),
            &accounts.system_program.to_account_info(),
            &[PROFILE_SEED, wallet.as_ref(), &[bump]],
            &profile,
        )?;
        let event = ProfileOpened {
            profile: accounts.profile.key(),
            wallet,
        };
        emit_cpi!(event);
        Ok(())
    }
}
