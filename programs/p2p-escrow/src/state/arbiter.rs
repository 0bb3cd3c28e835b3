use anchor_lang::prelude::*;

use crate::constants::MAX_ARBITER_FEE_BPS;
use crate::errors::EscrowError;

/// An arbiter registered by the admin, at `["arbiter", authority]`.
#[account]
#[derive(InitSpace)]
pub struct Arbiter {
    /// The key that signs rulings.
    pub authority: Pubkey,
    /// Fee in basis points of a disputed trade's amount, paid on a ruling (hard cap 500).
    pub fee_bps: u16,
    /// Whether new offers and trades may name this arbiter.
    pub active: bool,
    /// Disputes currently waiting for this arbiter's ruling.
    pub open_cases: u64,
    /// Rulings this arbiter has made.
    pub rulings: u64,
    /// Ruling deadlines this arbiter let pass.
    pub missed_deadlines: u64,
    /// Bump of this account's address.
    pub bump: u8,
    /// The arbiter's X25519 public key, to which parties disclose a disputed trade's room (all
    /// zero until the arbiter sets it with `set_arbiter_room_key`).
    pub room_key: [u8; 32],
}

impl Arbiter {
    /// Takes a case off the arbiter's open cases (a ruling, a settlement, a release or an
    /// escalation away from it).
    pub fn close_case(&mut self) -> Result<()> {
        self.open_cases = self
            .open_cases
            .checked_sub(1)
            .ok_or(EscrowError::InvariantViolated)?;
        self.invariant()
    }

    /// Holds after every change of an arbiter.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.fee_bps <= MAX_ARBITER_FEE_BPS,
            EscrowError::ArbiterFeeTooHigh
        );
        Ok(())
    }
}
