//! Addresses of the program's accounts, derived from the seeds the program declares
//! (`p2p_escrow::constants`). Clients derive them the same way; the program itself only checks
//! them through its account constraints.

use anchor_lang::prelude::Pubkey;
use p2p_escrow::constants::{ARBITER_SEED, CONFIG_SEED, OFFER_SEED, PROFILE_SEED, TRADE_SEED};
use spl_associated_token_account_interface::address::get_associated_token_address_with_program_id;

fn derive(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &p2p_escrow::ID).0
}

/// The protocol config.
pub fn config() -> Pubkey {
    derive(&[CONFIG_SEED])
}

/// A wallet's profile.
pub fn profile(wallet: &Pubkey) -> Pubkey {
    derive(&[PROFILE_SEED, wallet.as_ref()])
}

/// An arbiter's account.
pub fn arbiter(authority: &Pubkey) -> Pubkey {
    derive(&[ARBITER_SEED, authority.as_ref()])
}

/// A seller's offer number `offer_id`.
pub fn offer(seller: &Pubkey, offer_id: u64) -> Pubkey {
    derive(&[OFFER_SEED, seller.as_ref(), &offer_id.to_le_bytes()])
}

/// A buyer's trade number `trade_id`.
pub fn trade(buyer: &Pubkey, trade_id: u64) -> Pubkey {
    derive(&[TRADE_SEED, buyer.as_ref(), &trade_id.to_le_bytes()])
}

/// The program's event authority, the signer of its self-CPI events.
pub fn event_authority() -> Pubkey {
    derive(&[b"__event_authority"])
}

/// The program's ProgramData account under the upgradeable loader.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(
        &[p2p_escrow::ID.as_ref()],
        &solana_sdk_ids::bpf_loader_upgradeable::ID,
    )
    .0
}

/// The associated token account of `owner` for `mint` under `token_program`: an offer's vault, a
/// trade's holding account, a fee vault (owned by the config), a party's account.
pub fn associated_token(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    get_associated_token_address_with_program_id(owner, mint, token_program)
}
