//! Error codes and the program's events, as tests assert them.

use anchor_lang::{AnchorDeserialize, Discriminator};
use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;

use crate::*;

/// The custom error code of a program error.
pub fn code(error: EscrowError) -> u32 {
    error.into()
}

/// The custom error code of an anchor framework error.
pub fn anchor_code(error: anchor_lang::error::ErrorCode) -> u32 {
    error.into()
}

/// Pulls the custom error code out of a refusal.
pub fn custom_code(error: &TransactionError) -> Option<u32> {
    match error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

/// Decodes the program's event of type `E` from a transaction's events.
pub fn events_of<E: AnchorDeserialize + Discriminator>(events: &[Vec<u8>]) -> Vec<E> {
    events
        .iter()
        .filter_map(|data| data.strip_prefix(E::DISCRIMINATOR))
        .map(|mut body| E::deserialize(&mut body).expect("event decodes"))
        .collect()
}

/// The one event of type `E` a transaction emitted.
pub fn single_event<E: AnchorDeserialize + Discriminator>(events: &[Vec<u8>]) -> E {
    let mut found = events_of::<E>(events);
    assert_eq!(found.len(), 1, "expected exactly one event of the type");
    found.remove(0)
}
