//! The terms a take fixes, and their hash: `take_offer` carries the hash of the terms the buyer
//! was shown (`expected_terms_hash`) and the program compares it with the hash of the terms as
//! they stand, so neither the seller nor the admin can change a term under a pending take.
//!
//! Hash: `SHA-256("p2p-escrow:take-terms:v1" || borsh(TakeTerms))`, the fields in the order below
//! (`docs/protocol.md` lists the bytes).

use anchor_lang::prelude::*;
use solana_sha256_hasher::hashv;

use crate::constants::TAKE_TERMS_DOMAIN;
use crate::state::OfferTerms;

/// Every term that decides a trade's outcome, as a take fixes it.
#[derive(AnchorSerialize, Clone, Debug, PartialEq, Eq)]
pub struct TakeTerms {
    /// The offer's mint.
    pub mint: Pubkey,
    /// The offer's terms.
    pub terms: OfferTerms,
    /// The protocol fee, in bps.
    pub fee_bps: u16,
    /// The offer's arbiter's fee, in bps.
    pub arbiter_fee_bps: u16,
    /// The fallback arbiter the trade would fix (none when the config's is not usable for it).
    pub fallback_arbiter: Option<Pubkey>,
    /// The default ruling's share for the buyer, in bps.
    pub default_buyer_bps: u16,
    /// The arbiters' ruling window, in seconds.
    pub ruling_window: i64,
}

impl TakeTerms {
    /// `SHA-256(TAKE_TERMS_DOMAIN || borsh(self))`.
    pub fn hash(&self) -> Result<[u8; 32]> {
        let mut bytes = Vec::new();
        self.serialize(&mut bytes)?;
        Ok(hashv(&[TAKE_TERMS_DOMAIN, &bytes]).to_bytes())
    }
}
