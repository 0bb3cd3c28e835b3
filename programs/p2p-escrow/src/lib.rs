//! p2p-escrow: an on-chain escrow for peer-to-peer fiat-to-crypto trading.
//!
//! A seller locks tokens in a vault owned by an offer PDA. A buyer takes part of the offer, pays
//! fiat off-chain and marks the trade paid; the seller, or a payment attestor the seller chose,
//! releases the tokens to the buyer, or an arbiter rules on a dispute. Every waiting state has a
//! deadline that anyone can enforce.
//!
//! This file only dispatches: each instruction lives in its own module of [`instructions`], with
//! its accounts, a `validate` run before its handler, and the handler.
//!
//! The protocol this code follows (accounts, instructions, the state machine of a trade, who may
//! act when) is described in `docs/protocol.md`.

// On-chain code never panics and never wraps: every sum is checked, every conversion fallible.
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

use anchor_lang::prelude::*;

pub mod attestation;
pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod pda;
pub mod room;
pub mod settlement;
pub mod state;
pub mod terms;
pub mod token;

pub use instructions::*;
pub use state::{ConfigParams, OfferTerms};

// Where security researchers reach the maintainers, embedded in the deployed program (read by
// explorers and `query-security-txt`). The project has no public home or contact address yet:
// `SECURITY.md` says what a deployment must fill in here before it holds anyone's tokens.
#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "p2p-escrow",
    project_url: "private",
    contacts: "other:none published yet (see SECURITY.md in the source)",
    policy: "Report vulnerabilities privately to the maintainers before any public disclosure; never test against deployments holding others' tokens. SECURITY.md in the source says what is in scope.",
    preferred_languages: "en"
}

declare_id!("4YW1VAJ9gUDt2x4imYanuKiHijksAKVskYJ5JP3Da4rz");

#[program]
pub mod p2p_escrow {
    use super::*;

    /// Creates the protocol config. Only the program's upgrade authority may call it, once; it
    /// becomes the first admin.
    #[access_control(ctx.accounts.validate(&params))]
    pub fn initialize_config(ctx: Context<InitializeConfig>, params: ConfigParams) -> Result<()> {
        InitializeConfig::handler(ctx, params)
    }

    /// Changes the protocol settings (fee, fallback arbiter, ruling window, default ruling) for
    /// trades taken from now on; open trades keep what they fixed at take. Admin only.
    #[access_control(ctx.accounts.validate(&params))]
    pub fn update_config(ctx: Context<UpdateConfig>, params: ConfigParams) -> Result<()> {
        UpdateConfig::handler(ctx, params)
    }

    /// Pauses or resumes new offers and new trades. Exits (cancel, expire, release, withdraw,
    /// close) are never paused. Admin only; refuses a call that changes nothing.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_pause(ctx: Context<SetPause>, args: SetPauseArgs) -> Result<()> {
        SetPause::handler(ctx, args)
    }

    /// Proposes a new admin, who must accept with `accept_admin`. Admin only.
    #[access_control(ctx.accounts.validate(&new_admin))]
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        ProposeAdmin::handler(ctx, new_admin)
    }

    /// Accepts the admin role. Signed by the proposed admin.
    #[access_control(ctx.accounts.validate())]
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handler(ctx)
    }

    /// Registers an arbiter with its fee (at most 500 bps). Admin only.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_arbiter(
        ctx: Context<RegisterArbiter>,
        args: RegisterArbiterArgs,
    ) -> Result<()> {
        RegisterArbiter::handler(ctx, args)
    }

    /// Changes an arbiter's fee or deactivates it. Open trades keep what they snapshotted. Admin
    /// only.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_arbiter(ctx: Context<UpdateArbiter>, args: UpdateArbiterArgs) -> Result<()> {
        UpdateArbiter::handler(ctx, args)
    }

    /// Opens the signer's profile, which hands out its offer and trade ids (so no address the
    /// program derives ever repeats). Needed once, before a wallet's first offer or trade.
    pub fn open_profile(ctx: Context<OpenProfile>) -> Result<()> {
        OpenProfile::handler(ctx)
    }

    /// Creates an offer and funds its vault with the seller's tokens. The offer records what the
    /// vault actually received.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_offer(ctx: Context<CreateOffer>, args: CreateOfferArgs) -> Result<()> {
        CreateOffer::handler(ctx, args)
    }

    /// Adds tokens to an offer's vault. Seller only.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
        Deposit::handler(ctx, amount)
    }

    /// Takes available tokens out of an offer's vault, to any token account of the mint the
    /// seller names. Seller only.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn withdraw(ctx: Context<Withdraw>, amount: u64) -> Result<()> {
        Withdraw::handler(ctx, amount)
    }

    /// Pauses an offer (no new trades) or opens it again. Seller only.
    #[access_control(ctx.accounts.validate(paused))]
    pub fn set_offer_paused(ctx: Context<SetOfferPaused>, paused: bool) -> Result<()> {
        SetOfferPaused::handler(ctx, paused)
    }

    /// Closes an offer with no open trades: everything in the vault goes to the token account the
    /// seller names, the rent of both accounts and any bond that waited on the offer to the
    /// seller. Seller only.
    #[access_control(ctx.accounts.validate())]
    pub fn close_offer(ctx: Context<CloseOffer>) -> Result<()> {
        CloseOffer::handler(ctx)
    }

    /// Takes part of an offer: reserves `amount` in the vault, posts the buyer's bond, and fixes
    /// every term that decides the trade's outcome. Fails if the hash of those terms as they stand
    /// differs from the one the buyer's transaction carries (`TakeTerms`). The trade lives at
    /// `["trade", buyer, trade_id]`.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn take_offer(ctx: Context<TakeOffer>, args: TakeOfferArgs) -> Result<()> {
        TakeOffer::handler(ctx, args)
    }

    /// Cancels an unpaid trade before its payment deadline. Buyer only; the bond comes back.
    #[access_control(ctx.accounts.validate())]
    pub fn cancel_trade(ctx: Context<CancelTrade>) -> Result<()> {
        CancelTrade::handler(ctx)
    }

    /// Expires an unpaid trade after its payment deadline. Anyone; the bond goes to the seller.
    #[access_control(ctx.accounts.validate())]
    pub fn expire_trade(ctx: Context<ExpireTrade>) -> Result<()> {
        ExpireTrade::handler(ctx)
    }

    /// Marks a trade paid, with the hash of the payment reference, by its payment deadline. Buyer
    /// only; starts the seller's release window.
    #[access_control(ctx.accounts.validate(&payment_ref_hash))]
    pub fn mark_paid(ctx: Context<MarkPaid>, payment_ref_hash: [u8; 32]) -> Result<()> {
        MarkPaid::handler(ctx, payment_ref_hash)
    }

    /// Releases a trade: the buyer gets the amount less the protocol fee, the mint's fee vault the
    /// fee, the buyer its rent and bond. Seller only, in any open state; releasing a disputed
    /// trade closes the arbiter's case. What the buyer cannot receive waits for `claim`.
    #[access_control(ctx.accounts.validate())]
    pub fn release(ctx: Context<Release>) -> Result<()> {
        Release::handler(ctx)
    }

    /// Releases a trade (locked or paid) on a payment attestation: the offer's attestor's Ed25519
    /// signature over the trade's attestation payload (format v2), verified by the Ed25519
    /// instruction right before this one. Anyone may relay it; the payout is that of `release`.
    #[access_control(ctx.accounts.validate())]
    pub fn release_with_attestation(ctx: Context<ReleaseWithAttestation>) -> Result<()> {
        ReleaseWithAttestation::handler(ctx)
    }

    /// Opens a dispute of a paid trade: the seller any time, the buyer after the release deadline,
    /// anyone after the release deadline and a grace period. The trade's arbiter gets the case.
    #[access_control(ctx.accounts.validate())]
    pub fn open_dispute(ctx: Context<OpenDispute>) -> Result<()> {
        OpenDispute::handler(ctx)
    }

    /// Records a party's evidence: its hash on the trade (latest per side) and its URI in the
    /// event. Buyer or seller only.
    #[access_control(ctx.accounts.validate(&evidence_hash, &uri))]
    pub fn submit_evidence(
        ctx: Context<SubmitEvidence>,
        evidence_hash: [u8; 32],
        uri: String,
    ) -> Result<()> {
        SubmitEvidence::handler(ctx, evidence_hash, uri)
    }

    /// Rules a dispute by its ruling deadline: the arbiter takes its fee, the buyer `buyer_bps` of
    /// the rest, the seller's share returns to the offer. The bond goes to the seller only when
    /// the buyer gets nothing. The arbiter in charge only.
    #[access_control(ctx.accounts.validate(buyer_bps))]
    pub fn rule(ctx: Context<Rule>, buyer_bps: u16) -> Result<()> {
        Rule::handler(ctx, buyer_bps)
    }

    /// Ends a dispute with a split both parties sign, without an arbiter fee.
    #[access_control(ctx.accounts.validate(buyer_bps))]
    pub fn settle(ctx: Context<Settle>, buyer_bps: u16) -> Result<()> {
        Settle::handler(ctx, buyer_bps)
    }

    /// After a missed ruling deadline: the first time, hands the dispute to the trade's fallback
    /// arbiter with a new deadline; after that (or when the trade has none), applies the trade's
    /// default ruling. Both were fixed at take. Anyone.
    #[access_control(ctx.accounts.validate())]
    pub fn escalate(ctx: Context<Escalate>) -> Result<()> {
        Escalate::handler(ctx)
    }

    /// Pays a `Settled` trade's buyer what could not be delivered when the trade ended: the held
    /// tokens to any token account of the mint, the trade's lamports to any account. Buyer only.
    #[access_control(ctx.accounts.validate())]
    pub fn claim(ctx: Context<Claim>) -> Result<()> {
        Claim::handler(ctx)
    }

    /// Withdraws protocol fees from a mint's fee vault to any token account of the mint. Admin
    /// only; the fee vault never holds escrowed tokens.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn withdraw_fees(ctx: Context<WithdrawFees>, amount: u64) -> Result<()> {
        WithdrawFees::handler(ctx, amount)
    }

    /// Posts a message in a trade's room while the trade is open: the buyer and the seller chat,
    /// the seller posts its payment details, the buyer declares its payer before marking paid,
    /// either discloses the room to the arbiter in a dispute, and the arbiter in charge of a dispute
    /// writes to a party. The body is encrypted by the clients; nothing changes but the event.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn post_message(ctx: Context<PostMessage>, args: PostMessageArgs) -> Result<()> {
        PostMessage::handler(ctx, args)
    }

    /// Sets the X25519 public key parties disclose a dispute's room to. The arbiter only.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_arbiter_room_key(
        ctx: Context<SetArbiterRoomKey>,
        args: SetArbiterRoomKeyArgs,
    ) -> Result<()> {
        SetArbiterRoomKey::handler(ctx, args)
    }

    /// Proposes how to end a paid or disputed trade: `buyer_amount` tokens to the buyer (less the
    /// protocol fee), the rest back to the offer, the bond back to the buyer; zero is a
    /// collaborative cancel. The buyer or the seller; replaces any earlier proposal.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn propose_ending(ctx: Context<ProposeEnding>, args: ProposeEndingArgs) -> Result<()> {
        ProposeEnding::handler(ctx, args)
    }

    /// Withdraws a trade's proposal. The party who proposed it only.
    #[access_control(ctx.accounts.validate())]
    pub fn withdraw_proposal(ctx: Context<WithdrawProposal>) -> Result<()> {
        WithdrawProposal::handler(ctx)
    }

    /// Accepts the other party's proposal, naming its buyer amount, and pays the trade out as it
    /// says; a disputed trade's arbiter case closes without a fee. The party who did not propose.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn accept_proposal(ctx: Context<AcceptProposal>, args: AcceptProposalArgs) -> Result<()> {
        AcceptProposal::handler(ctx, args)
    }
}
