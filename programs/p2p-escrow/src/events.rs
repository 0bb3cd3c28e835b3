//! One event per transition, emitted through a self-CPI (`emit_cpi!`) so indexers read them from
//! inner instructions, which are not truncated like logs.

use anchor_lang::prelude::*;

use crate::room::MessageKind;
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
    /// The seller's X25519 public key for the offer's trade rooms.
    pub room_key: [u8; 32],
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
    /// The buyer's trade id (the trade's address is `["trade", buyer, trade_id]`).
    pub trade_id: u64,
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
    /// Last second to mark the trade paid: with a response window, the latest it can be (the
    /// seller's payment details move it earlier, see `PaymentWindowStarted`).
    pub payment_deadline: i64,
    /// Last second for the seller's payment details, zero when the offer has no response window.
    pub response_deadline: i64,
    /// Protocol fee in bps, fixed for this trade.
    pub fee_bps: u16,
    /// The arbiter's fee in bps, fixed for this trade.
    pub arbiter_fee_bps: u16,
    /// The fallback arbiter's authority fixed for this trade, if any.
    pub fallback_arbiter: Option<Pubkey>,
    /// The buyer's share in bps of a default ruling, fixed for this trade.
    pub default_buyer_bps: u16,
    /// Seconds each arbiter has to rule, fixed for this trade.
    pub ruling_window: i64,
    /// Seconds the seller has to release once paid, fixed for this trade.
    pub release_window: i64,
    /// The seller's X25519 public key for the trade's room.
    pub seller_room_key: [u8; 32],
    /// The buyer's X25519 public key for the trade's room.
    pub buyer_room_key: [u8; 32],
}

/// A buyer cancelled an unpaid trade.
#[event]
pub struct TradeCancelled {
    /// The trade account (closed now, or `Settled` when a `PayoutHeld` event follows).
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
    /// The trade account (closed now, or `Settled` when a `PayoutHeld` event follows).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Who cranked the expiry.
    pub cranked_by: Pubkey,
    /// Tokens returned to the offer's available amount.
    pub amount: u64,
    /// Lamports of bond paid to the seller (zero when the seller never answered).
    pub bond_to_seller: u64,
    /// Whether the trade ended because the seller let its response window pass without payment
    /// details: the bond went back to the buyer.
    pub unanswered: bool,
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
    /// The trade account (closed now, or `Settled` when a `PayoutHeld` event follows).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The seller.
    pub seller: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Who released it: the seller, or the signer who relayed an attestation.
    pub released_by: Pubkey,
    /// The attestor whose signature released it, if the seller did not.
    pub attestor: Option<Pubkey>,
    /// Tokens that left the vault for the buyer (before any transfer fee).
    pub to_buyer: u64,
    /// Tokens that left the vault for the mint's fee vault.
    pub protocol_fee: u64,
    /// Lamports of bond paid to the buyer now (zero when they wait for its claim).
    pub bond_returned: u64,
}

/// A party (or, after the grace period, anyone) opened a dispute of a paid trade.
#[event]
pub struct DisputeOpened {
    /// The trade account.
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// Who opened it.
    pub opened_by: Pubkey,
    /// The arbiter who must rule.
    pub arbiter: Pubkey,
    /// Last second of the arbiter's ruling window.
    pub ruling_deadline: i64,
    /// Tokens in dispute.
    pub amount: u64,
    /// Fiat the buyer owed, in minor units.
    pub fiat_amount: u64,
}

/// A party submitted evidence in a dispute.
#[event]
pub struct EvidenceSubmitted {
    /// The trade account.
    pub trade: Pubkey,
    /// The buyer or the seller.
    pub submitted_by: Pubkey,
    /// Whether the buyer submitted it.
    pub by_buyer: bool,
    /// Hash of the evidence.
    pub evidence_hash: [u8; 32],
    /// Where the evidence can be fetched.
    pub uri: String,
}

/// A dispute's arbiter missed its ruling deadline and the fallback arbiter took over.
#[event]
pub struct DisputeEscalated {
    /// The trade account.
    pub trade: Pubkey,
    /// Who cranked the escalation.
    pub cranked_by: Pubkey,
    /// The arbiter who missed the deadline.
    pub previous_arbiter: Pubkey,
    /// The fallback arbiter now in charge.
    pub arbiter: Pubkey,
    /// Last second of the fallback arbiter's ruling window.
    pub ruling_deadline: i64,
}

/// How a dispute ended.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The arbiter ruled.
    Ruled,
    /// Buyer and seller agreed on a split.
    Settled,
    /// Every arbiter missed its deadline; the config's default ruling applied.
    DefaultRuling,
}

/// A dispute ended and its trade closed.
#[event]
pub struct DisputeResolved {
    /// The trade account (closed now, or `Settled` when a `PayoutHeld` event follows).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The seller.
    pub seller: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// How it ended.
    pub resolution: Resolution,
    /// The arbiter in charge at the end.
    pub arbiter: Pubkey,
    /// The buyer's share in basis points of what was left after the arbiter's fee.
    pub buyer_bps: u16,
    /// Tokens that left the vault for the buyer (before any transfer fee).
    pub to_buyer: u64,
    /// Tokens returned to the offer's available amount.
    pub to_seller: u64,
    /// Tokens that left the vault for the arbiter.
    pub arbiter_fee: u64,
    /// Lamports of bond paid to the seller (the rest went back to the buyer).
    pub bond_to_seller: u64,
}

/// Part of a trade's payout could not be delivered to the buyer (its token account cannot receive,
/// or its wallet cannot take the lamports): the trade stays `Settled` with it until the buyer
/// claims it. Nothing else waited.
#[event]
pub struct PayoutHeld {
    /// The trade account, now `Settled`.
    pub trade: Pubkey,
    /// The buyer the payout waits for.
    pub buyer: Pubkey,
    /// Tokens waiting in the trade's holding account.
    pub tokens: u64,
    /// Lamports waiting for the buyer: the trade account's and the holding account's (its rent
    /// and the bond).
    pub lamports: u64,
}

/// A buyer claimed what waited for it on a `Settled` trade, which is closed now.
#[event]
pub struct PayoutClaimed {
    /// The trade account (closed now).
    pub trade: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// Tokens that left the holding account (before any transfer fee).
    pub tokens: u64,
    /// The token account the tokens went to, if any were held.
    pub destination: Option<Pubkey>,
    /// The account the lamports went to.
    pub recipient: Pubkey,
    /// Lamports paid: the trade's and the holding account's.
    pub lamports: u64,
}

/// The admin withdrew protocol fees from a mint's fee vault.
#[event]
pub struct FeesWithdrawn {
    /// The admin.
    pub admin: Pubkey,
    /// The mint.
    pub mint: Pubkey,
    /// The fee vault.
    pub fee_vault: Pubkey,
    /// The token account the fees went to.
    pub destination: Pubkey,
    /// Tokens that left the fee vault.
    pub amount: u64,
}

/// A wallet opened its profile.
#[event]
pub struct ProfileOpened {
    /// The profile account.
    pub profile: Pubkey,
    /// The wallet it counts for.
    pub wallet: Pubkey,
}

/// A message was posted in a trade's room. Its author signed the transaction; its time is the
/// block's.
#[event]
pub struct MessagePosted {
    /// The trade whose room it is.
    pub trade: Pubkey,
    /// Who posted it: the buyer, the seller, or the arbiter in charge of the dispute.
    pub author: Pubkey,
    /// What the message is.
    pub kind: MessageKind,
    /// The encrypted message, opaque to the program.
    pub body: Vec<u8>,
    /// When it was posted (unix seconds, the chain's clock).
    pub posted_at: i64,
}

/// An arbiter set the X25519 public key parties disclose a dispute's room to.
#[event]
pub struct ArbiterRoomKeySet {
    /// The arbiter account.
    pub arbiter: Pubkey,
    /// The arbiter's signing key.
    pub authority: Pubkey,
    /// The new room key.
    pub room_key: [u8; 32],
}

/// The seller's first payment details in a trade's room started the buyer's payment window.
#[event]
pub struct PaymentWindowStarted {
    /// The trade.
    pub trade: Pubkey,
    /// When the details were posted (unix seconds).
    pub details_at: i64,
    /// Last second to mark the trade paid now.
    pub payment_deadline: i64,
}

/// A party of a paid or disputed trade proposed how to end it (replacing any earlier proposal).
#[event]
pub struct EndingProposed {
    /// The trade.
    pub trade: Pubkey,
    /// The party who proposed.
    pub proposed_by: Pubkey,
    /// Tokens (base units) the buyer would get before the protocol fee; the rest returns to the
    /// offer. Zero is a collaborative cancel.
    pub buyer_amount: u64,
    /// When it was proposed (unix seconds).
    pub proposed_at: i64,
}

/// The party who proposed an ending withdrew it.
#[event]
pub struct ProposalWithdrawn {
    /// The trade.
    pub trade: Pubkey,
    /// The party who had proposed it.
    pub proposed_by: Pubkey,
}

/// The other party accepted a proposed ending and the trade paid out.
#[event]
pub struct ProposalAccepted {
    /// The trade (closed now, or `Settled` when a `PayoutHeld` event follows).
    pub trade: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The seller.
    pub seller: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The party who proposed.
    pub proposed_by: Pubkey,
    /// The party who accepted.
    pub accepted_by: Pubkey,
    /// Tokens that left the vault for the buyer (delivered or held).
    pub to_buyer: u64,
    /// Tokens that left the vault for the fee vault (the protocol fee of the buyer's share).
    pub protocol_fee: u64,
    /// Tokens returned to the offer's available amount.
    pub to_seller: u64,
    /// Lamports of bond paid back to the buyer now (zero when they wait for its claim).
    pub bond_returned: u64,
}
