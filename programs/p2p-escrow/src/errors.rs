//! Every refusal of the program, with the message a front end shows.

use anchor_lang::prelude::*;

#[error_code]
pub enum EscrowError {
    // Config and roles.
    #[msg("Only the program's upgrade authority can initialize the config")]
    NotUpgradeAuthority,
    #[msg("Only the protocol admin can do this")]
    NotAdmin,
    #[msg("Only the proposed new admin can accept the admin role")]
    NotPendingAdmin,
    #[msg("No admin transfer is pending")]
    NoPendingAdmin,
    #[msg("The proposed admin is already the admin")]
    AdminUnchanged,
    #[msg("The protocol fee exceeds its cap of 100 bps")]
    ProtocolFeeTooHigh,
    #[msg("The arbiter fee exceeds its cap of 500 bps")]
    ArbiterFeeTooHigh,
    #[msg("Basis points must be between 0 and 10000")]
    InvalidBps,
    #[msg("The ruling window is outside its bounds (1 hour to 30 days)")]
    RulingWindowOutOfBounds,
    #[msg("New offers are paused by the protocol")]
    NewOffersPaused,
    #[msg("New trades are paused by the protocol")]
    NewTradesPaused,
    #[msg("The arbiter is not active")]
    ArbiterInactive,
    #[msg("The arbiter account does not belong to the expected arbiter")]
    ArbiterMismatch,
    #[msg("The fee vault holds fewer tokens than requested")]
    InsufficientFees,

    // Offers.
    #[msg("Only the offer's seller can do this")]
    NotSeller,
    #[msg("The amount must be greater than zero")]
    ZeroAmount,
    #[msg("Trade limits must satisfy 0 < min <= max")]
    InvalidTradeLimits,
    #[msg("The price must be greater than zero")]
    ZeroPrice,
    #[msg("The fiat currency must be a three-letter ISO 4217 code in capitals")]
    InvalidFiatCurrency,
    #[msg("The payment window is outside its bounds (5 minutes to 7 days)")]
    PaymentWindowOutOfBounds,
    #[msg("The release window is outside its bounds (5 minutes to 30 days)")]
    ReleaseWindowOutOfBounds,
    #[msg("The mint has a permanent delegate, which could take tokens out of the vault")]
    MintHasPermanentDelegate,
    #[msg("The mint is non-transferable")]
    MintNonTransferable,
    #[msg("The mint is pausable, which could freeze the vault")]
    MintPausable,
    #[msg("The mint freezes new token accounts by default")]
    MintDefaultFrozen,
    #[msg("The mint has a transfer hook")]
    MintHasTransferHook,
    #[msg("The mint has a default account state that its freeze authority could switch to frozen")]
    MintDefaultStateChangeable,
    #[msg("The mint has a close authority: it could be closed and created again with other extensions")]
    MintClosable,
    #[msg("The vault is not this offer's vault")]
    VaultMismatch,
    #[msg("The mint is not this offer's mint")]
    MintMismatch,
    #[msg("The token program is not this offer's token program")]
    TokenProgramMismatch,
    #[msg("The deposit left nothing in the vault after transfer fees")]
    NothingReceived,
    #[msg("The amount exceeds what the offer has available")]
    InsufficientAvailable,
    #[msg("The offer still has tokens locked in open trades")]
    OfferHasLockedTrades,
    #[msg("The offer is already in the requested status")]
    OfferStatusUnchanged,
    #[msg("The offer id is not the seller's next offer id (its profile's offers_created)")]
    OfferIdNotNext,

    // Trades.
    #[msg("The offer is not open for new trades")]
    OfferNotOpen,
    #[msg("The buyer cannot be the seller")]
    BuyerIsSeller,
    #[msg("The arbiter cannot be a party to the trade")]
    ArbiterIsParty,
    #[msg("The attestor cannot be the buyer")]
    AttestorIsBuyer,
    #[msg("This offer is reserved for another buyer")]
    BuyerNotAllowed,
    #[msg("The amount is below the offer's minimum trade amount")]
    AmountBelowMinimum,
    #[msg("The amount is above the offer's maximum trade amount")]
    AmountAboveMaximum,
    #[msg("The offer's terms differ from the terms the buyer accepted")]
    TermsMismatch,
    #[msg("The trade is too small to be worth any fiat at the offer's price")]
    FiatAmountZero,
    #[msg("Only the trade's buyer can do this")]
    NotBuyer,
    #[msg("The trade does not belong to this offer")]
    OfferMismatch,
    #[msg("The trade is not waiting for payment")]
    TradeNotLocked,
    #[msg("The trade cannot be released in its current state")]
    TradeNotReleasable,
    #[msg("The payment deadline has passed")]
    PaymentDeadlinePassed,
    #[msg("The payment deadline has not passed yet")]
    PaymentDeadlineNotReached,
    #[msg("The payment reference hash must not be zero")]
    InvalidPaymentReference,
    #[msg("The trade id is not the buyer's next trade id (its profile's trades_taken)")]
    TradeIdNotNext,
    #[msg("The token account is not the buyer's associated token account for this mint")]
    BuyerTokenAccountMismatch,
    #[msg("The holding account is not the trade's associated token account for this mint")]
    HoldingAccountMismatch,
    #[msg("The trade has ended: only its buyer's claim is left")]
    TradeSettled,
    #[msg("The trade has no payout waiting to be claimed")]
    TradeNotSettled,
    #[msg("Tokens wait for the buyer: name a token account of the mint to receive them")]
    DestinationMissing,
    #[msg("A claim pays out to accounts other than the trade and its holding account")]
    InvalidClaimDestination,

    // Disputes.
    #[msg("The trade is not marked paid")]
    TradeNotPaid,
    #[msg("The trade is not in dispute")]
    TradeNotDisputed,
    #[msg("The buyer can open a dispute only after the seller's release window")]
    ReleaseWindowOpen,
    #[msg("Only the trade's parties can open a dispute before the grace period after the release deadline")]
    DisputeGraceNotOver,
    #[msg("Only the trade's buyer or seller can do this")]
    NotAParty,
    #[msg("The evidence hash must not be zero")]
    InvalidEvidence,
    #[msg("The evidence URI is longer than 200 bytes")]
    EvidenceUriTooLong,
    #[msg("Only the arbiter now in charge of the dispute can rule")]
    NotTradeArbiter,
    #[msg("The ruling deadline has passed")]
    RulingDeadlinePassed,
    #[msg("The ruling deadline has not passed yet")]
    RulingDeadlineNotReached,
    #[msg(
        "The account is not the trade's fallback arbiter, or the trade has none to hand over to"
    )]
    FallbackArbiterMismatch,

    // Attestation.
    #[msg("The offer has no attestor")]
    NoAttestor,
    #[msg("The transaction has no Ed25519 instruction right before this one")]
    AttestationMissing,
    #[msg("The Ed25519 instruction must verify exactly one signature over its own data")]
    AttestationMalformed,
    #[msg("The attestation is not signed by the offer's attestor")]
    AttestorMismatch,
    #[msg("The attestation does not match this trade")]
    AttestationMismatch,

    // Account creation.
    #[msg("The account already exists")]
    AccountInUse,

    // Internal.
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("An account invariant does not hold")]
    InvariantViolated,

    // Admin.
    #[msg("The protocol is already paused that way: nothing would change")]
    PauseUnchanged,

    // Payouts.
    #[msg("The fee vault is not the config's associated token account for this mint")]
    FeeVaultMismatch,
    #[msg("The token account is not the arbiter's associated token account for this mint")]
    ArbiterTokenAccountMismatch,

    // Attestation format.
    #[msg("The attestation is in the outdated v1 format: the attestor must sign the v2 digest")]
    AttestationOutdated,

    // The trade room.
    #[msg(
        "A room key is an X25519 public key an agreement can use: not all zero, not of small order"
    )]
    InvalidRoomKey,
    #[msg("Only the trade's buyer and seller, and in a dispute the arbiter in charge, post in its room")]
    NotInTradeRoom,
    #[msg("This kind of message is not the author's to post, or not now")]
    MessageNotAllowed,
    #[msg("A message has a body")]
    EmptyMessage,
    #[msg("The message is longer than a trade-room message may be")]
    MessageTooLong,
    #[msg("The response window is zero (none) or between 1 minute and 1 day")]
    ResponseWindowOutOfBounds,
    #[msg("The seller's response window has passed without payment details")]
    ResponseDeadlinePassed,
    #[msg("The seller's response window is still open")]
    ResponseDeadlineNotReached,

    // Endings the parties negotiate.
    #[msg("Only a paid or disputed trade's parties propose, accept or withdraw an ending")]
    NotNegotiable,
    #[msg("A proposal gives the buyer at most the trade's amount")]
    ProposalExceedsAmount,
    #[msg("The trade has no proposal")]
    NoProposal,
    #[msg("Only the party who proposed may withdraw the proposal")]
    NotProposer,
    #[msg("A party cannot accept its own proposal")]
    OwnProposal,
    #[msg("The proposal changed: it is not the one being accepted")]
    ProposalChanged,
}
