//! The trade room: what the program knows of the parties' end-to-end encrypted messages. It checks
//! who may post which kind of message, and when; a message's body is opaque to it (the clients
//! encrypt: X25519 agreement, HKDF-SHA256, XChaCha20-Poly1305, as `docs/protocol.md` lays out).
//! A message changes no account: it lives in its transaction and its `MessagePosted` event, signed
//! by its author and timed by the chain.

use anchor_lang::prelude::*;

use crate::errors::EscrowError;

/// An X25519 public key of the trade room, 32 bytes (RFC 7748). All zero means none.
pub type RoomKey = [u8; 32];

/// Refuses the all-zero room key, which stands for "none".
pub fn require_room_key(key: &RoomKey) -> Result<()> {
    require!(*key != [0; 32], EscrowError::InvalidRoomKey);
    Ok(())
}

/// What a message is, which decides who may post it and when.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// A line of conversation between the buyer and the seller.
    Chat,
    /// The seller's payment details for this trade (where to send the fiat).
    PaymentDetails,
    /// The account the buyer pays from, declared before it marks the trade paid.
    PayerDeclaration,
    /// A party's conversation key, encrypted to the arbiter in charge of the dispute.
    Disclosure,
    /// The arbiter in charge of the dispute writing to one party.
    ArbiterNote,
}
