//! One event per transition, emitted through a self-CPI (`emit_cpi!`) so indexers read them from
//! inner instructions, which are not truncated like logs.

use anchor_lang::prelude::*;

use crate::state::{ConfigParams, OfferTerms};

/// The config was created.
#[event]
pub struct ConfigInitialized {
    /// The first admin.
    pub admin: Pubkey,
    /// The settings.
    pub params: ConfigParams,
}

/// The admin changed the settings.
#[event]
pub struct ConfigUpdated {
    /// The admin who changed them.
    pub admin: Pubkey,
    /// The new settings.
    pub params: ConfigParams,
}

/// The admin changed the pause flags.
#[event]
pub struct PauseChanged {
    /// The admin who changed them.
    pub admin: Pubkey,
    /// Whether new offers are paused.
    pub new_offers_paused: bool,
    /// Whether new trades are paused.
    pub new_trades_paused: bool,
}

/// The admin proposed a new admin.
#[event]
pub struct AdminTransferProposed {
    /// The current admin.
    pub admin: Pubkey,
    /// The proposed admin, who must accept.
    pub pending_admin: Pubkey,
}

/// A proposed admin accepted the role.
#[event]
pub struct AdminTransferred {
    /// The admin before.
    pub previous_admin: Pubkey,
    /// The admin now.
    pub admin: Pubkey,
}

/// The admin registered an arbiter.
#[event]
pub struct ArbiterRegistered {
    /// The arbiter account.
    pub arbiter: Pubkey,
    /// The arbiter's signing key.
    pub authority: Pubkey,
    /// The arbiter's fee in basis points.
    pub fee_bps: u16,
}

/// The admin changed an arbiter's fee or status.
#[event]
pub struct ArbiterUpdated {
    /// The arbiter account.
    pub arbiter: Pubkey,
    /// The arbiter's signing key.
    pub authority: Pubkey,
    /// The fee in basis points now.
    pub fee_bps: u16,
    /// Whether the arbiter takes new offers and trades.
    pub active: bool,
}

/// A seller created and funded an offer.
#[event]
pub struct OfferCreated {
    /// The offer account.
    pub offer: Pubkey,
    /// The seller.
    pub seller: Pubkey,
    /// The seller's number for the offer.
    pub offer_id: u64,
    /// The token sold.
    pub mint: Pubkey,
    /// The vault.
    pub vault: Pubkey,
    /// What the vault received (after any transfer fee).
    pub deposited: u64,
    /// The terms.
    pub terms: OfferTerms,
}

/// A seller added tokens to an offer.
#[event]
pub struct OfferDeposited {
    /// The offer account.
    pub offer: Pubkey,
    /// What the vault received (after any transfer fee).
    pub deposited: u64,
    /// Tokens available now.
    pub available: u64,
}

/// A seller took available tokens out of an offer.
#[event]
pub struct OfferWithdrawn {
    /// The offer account.
    pub offer: Pubkey,
    /// Tokens that left the vault.
    pub withdrawn: u64,
    /// Tokens available now.
    pub available: u64,
}

/// A seller paused or resumed an offer.
#[event]
pub struct OfferStatusChanged {
    /// The offer account.
    pub offer: Pubkey,
    /// Whether the offer is paused now.
    pub paused: bool,
}

/// A seller closed an offer; its tokens and rent went back to the seller.
#[event]
pub struct OfferClosed {
    /// The offer account.
    pub offer: Pubkey,
    /// The seller.
    pub seller: Pubkey,
    /// Tokens that left the vault for the seller, donations included.
    pub returned: u64,
}

/// A buyer took part of an offer.
#[event]
pub struct TradeTaken {
    /// The trade account.
    pub trade: Pubkey,
    /// The offer taken from.
    pub offer: Pubkey,
    /// The trade's index within the offer.
    pub trade_index: u64,
    /// The seller.
    pub seller: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The token.
    pub mint: Pubkey,
    /// Tokens reserved.
    pub amount: u64,
    /// Fiat owed, in minor units.
    pub fiat_amount: u64,
    /// Fiat currency code.
    pub fiat_currency: [u8; 3],
    /// The arbiter's authority.
    pub arbiter: Pubkey,
    /// The buyer's bond in lamports.
    pub buyer_bond: u64,
    /// Last second to mark the trade paid.
    pub payment_deadline: i64,
}

/// A buyer cancelled an unpaid trade.
#[event]
pub struct TradeCancelled {
    /// The trade account (closed now).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Tokens returned to the offer's available amount.
    pub amount: u64,
}

/// An unpaid trade passed its payment deadline and was expired.
#[event]
pub struct TradeExpired {
    /// The trade account (closed now).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Who cranked the expiry.
    pub cranked_by: Pubkey,
    /// Tokens returned to the offer's available amount.
    pub amount: u64,
    /// Lamports of bond paid to the seller.
    pub bond_to_seller: u64,
}

/// A buyer marked a trade paid.
#[event]
pub struct TradePaid {
    /// The trade account.
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Hash of the payment reference.
    pub payment_ref_hash: [u8; 32],
    /// When it was marked paid.
    pub paid_at: i64,
    /// Last second of the seller's release window.
    pub release_deadline: i64,
}

/// A trade was released to its buyer.
#[event]
pub struct TradeReleased {
    /// The trade account (closed now).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The seller.
    pub seller: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Who released it: the seller, or the signer who relayed an attestation.
    pub released_by: Pubkey,
    /// Tokens that left the vault for the buyer (before any transfer fee).
    pub to_buyer: u64,
    /// Tokens that left the vault for the treasury.
    pub protocol_fee: u64,
    /// Lamports of bond returned to the buyer.
    pub bond_returned: u64,
}
