use anchor_lang::prelude::*;

use crate::constants::ARBITER_SEED;
use crate::errors::EscrowError;
use crate::events::ArbiterRoomKeySet;
use crate::room::{require_room_key, RoomKey};
use crate::state::Arbiter;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetArbiterRoomKeyArgs {
    /// The arbiter's X25519 public key, derived from its wallet's signature.
    pub room_key: RoomKey,
}

#[event_cpi]
#[derive(Accounts)]
pub struct SetArbiterRoomKey<'info> {
    /// The arbiter's signing key.
    pub authority: Signer<'info>,
    /// The arbiter's account; only its own signing key changes its room key.
    #[account(
        mut,
        seeds = [ARBITER_SEED, arbiter.authority.as_ref()],
        bump = arbiter.bump,
        has_one = authority @ EscrowError::ArbiterMismatch,
    )]
    pub arbiter: Box<Account<'info, Arbiter>>,
}

impl SetArbiterRoomKey<'_> {
    pub fn validate(&self, args: &SetArbiterRoomKeyArgs) -> Result<()> {
        require_room_key(&args.room_key)
    }

    pub fn handler(ctx: Context<'_, Self>, args: SetArbiterRoomKeyArgs) -> Result<()> {
        let arbiter = &mut ctx.accounts.arbiter;
        arbiter.room_key = args.room_key;
        arbiter.invariant()?;
        let event = ArbiterRoomKeySet {
            arbiter: arbiter.key(),
            authority: arbiter.authority,
            room_key: args.room_key,
        };
        emit_cpi!(event);
        Ok(())
    }
}
