//! Seeds, caps and bounds of the protocol, in one place.

use anchor_lang::prelude::*;

/// Seed of the protocol's single [`crate::state::Config`] account.
#[constant]
pub const CONFIG_SEED: &[u8] = b"config";

/// Seed prefix of an [`crate::state::Arbiter`] account: `["arbiter", authority]`.
#[constant]
pub const ARBITER_SEED: &[u8] = b"arbiter";

/// Seed prefix of a [`crate::state::Profile`] account: `["profile", wallet]`.
#[constant]
pub const PROFILE_SEED: &[u8] = b"profile";

/// Seed prefix of an [`crate::state::Offer`] account: `["offer", seller, offer_id (u64 LE)]`, where
/// `offer_id` is the seller's count of offers created before it (its profile's `offers_created`).
#[constant]
pub const OFFER_SEED: &[u8] = b"offer";

/// Seed prefix of a [`crate::state::Trade`] account: `["trade", buyer, trade_id (u64 LE)]`, where
/// `trade_id` is the buyer's count of trades taken before it (its profile's `trades_taken`).
#[constant]
pub const TRADE_SEED: &[u8] = b"trade";

/// Basis points in one whole.
#[constant]
pub const BPS_DENOMINATOR: u16 = 10_000;

/// Hard cap of the protocol fee, in basis points of a trade's amount.
#[constant]
pub const MAX_PROTOCOL_FEE_BPS: u16 = 100;

/// Hard cap of an arbiter's fee, in basis points of a disputed trade's amount.
#[constant]
pub const MAX_ARBITER_FEE_BPS: u16 = 500;

/// Shortest payment window an offer may give its buyers, in seconds (5 minutes).
#[constant]
pub const MIN_PAYMENT_WINDOW: i64 = 5 * 60;

/// Longest payment window an offer may give its buyers, in seconds (7 days).
#[constant]
pub const MAX_PAYMENT_WINDOW: i64 = 7 * 24 * 60 * 60;

/// Shortest response window an offer may set, in seconds (1 minute): the time a seller has after a
/// take to post its payment details in the trade's room. Zero means no response window (the
/// payment window runs from the take).
#[constant]
pub const MIN_RESPONSE_WINDOW: i64 = 60;

/// Longest response window an offer may set, in seconds (1 day).
#[constant]
pub const MAX_RESPONSE_WINDOW: i64 = 24 * 60 * 60;

/// Shortest time a seller gets to release after a trade is marked paid, in seconds (5 minutes).
#[constant]
pub const MIN_RELEASE_WINDOW: i64 = 5 * 60;

/// Longest time a seller gets to release after a trade is marked paid, in seconds (30 days).
#[constant]
pub const MAX_RELEASE_WINDOW: i64 = 30 * 24 * 60 * 60;

/// Shortest time an arbiter gets to rule, in seconds (1 hour).
#[constant]
pub const MIN_RULING_WINDOW: i64 = 60 * 60;

/// Longest time an arbiter gets to rule, in seconds (30 days).
#[constant]
pub const MAX_RULING_WINDOW: i64 = 30 * 24 * 60 * 60;

/// Time after the release deadline from which anyone, not only the parties, may open a dispute of
/// a paid trade, so that a trade whose parties both vanished still reaches a ruling (7 days).
#[constant]
pub const PUBLIC_DISPUTE_GRACE: i64 = 7 * 24 * 60 * 60;

/// Longest evidence URI a party may submit, in bytes.
#[constant]
pub const MAX_EVIDENCE_URI_LEN: u32 = 200;

/// Longest body of a trade-room message, in bytes: a `post_message` transaction of this size
/// leaves 300 bytes of its packet free, the budget of every transaction.
#[constant]
pub const MAX_MESSAGE_LEN: u16 = 632;

/// Domain tag that starts every payment attestation's message and what its attestor signs: the
/// domain, then the message's SHA-256 digest (format v2).
#[constant]
pub const ATTESTATION_DOMAIN: &[u8] = b"p2p-escrow:release:v2";

/// Domain tag of the first attestation format (v1: the whole message signed), refused with
/// `AttestationOutdated`.
pub const ATTESTATION_DOMAIN_V1: &[u8] = b"p2p-escrow:release:v1";

/// Domain tag that starts the terms a take fixes, hashed into `take_offer`'s `expected_terms_hash`.
#[constant]
pub const TAKE_TERMS_DOMAIN: &[u8] = b"p2p-escrow:take-terms:v1";
