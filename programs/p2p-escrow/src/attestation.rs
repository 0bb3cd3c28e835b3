//! Payment attestations: the digest a payment service signs, and its verification by
//! introspecting the Ed25519 program instruction placed right before ours in the transaction.
//!
//! Format v2: the attestor signs the domain followed by the 32-byte `SHA-256` digest of the
//! attestation message (53 bytes), so the Ed25519 instruction carries 53 bytes of message instead
//! of the whole 189-byte message (v1, refused with `AttestationOutdated`). The domain in the signed
//! bytes keeps an attestation from being any 32 bytes: a key asked to sign an opaque value elsewhere
//! does not sign a release.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use solana_instructions_sysvar::{load_current_index_checked, load_instruction_at_checked};

use solana_sha256_hasher::hashv;

use crate::constants::{ATTESTATION_DOMAIN, ATTESTATION_DOMAIN_V1};
use crate::errors::EscrowError;
use crate::state::Trade;

/// Length of the header of an Ed25519 instruction: signature count and padding.
const ED25519_HEADER_LEN: usize = 2;
/// Length of one set of signature offsets in an Ed25519 instruction.
const ED25519_OFFSETS_LEN: usize = 14;
/// An offsets field's instruction index that means "this instruction".
const THIS_INSTRUCTION: u16 = u16::MAX;
/// Length of an Ed25519 public key.
const PUBKEY_LEN: usize = 32;
/// Length of an Ed25519 signature.
const SIGNATURE_LEN: usize = 64;
/// Length of a v1 attestation message, the whole message signed: the domain, four addresses, the
/// amount and the payment reference hash.
const ATTESTATION_V1_LEN: usize = ATTESTATION_DOMAIN_V1.len() + 4 * 32 + 8 + 32;

/// Length of what an attestor signs in v2: the domain and the digest.
pub const ATTESTATION_PAYLOAD_LEN: usize = ATTESTATION_DOMAIN.len() + 32;

/// The digest of `trade`'s attestation message: `SHA-256("p2p-escrow:release:v2" || program_id ||
/// trade || buyer || mint || amount (u64 LE) || payment_ref_hash)`.
pub fn attestation_digest(trade_address: &Pubkey, trade: &Trade) -> [u8; 32] {
    hashv(&[
        ATTESTATION_DOMAIN,
        crate::ID.as_ref(),
        trade_address.as_ref(),
        trade.buyer.as_ref(),
        trade.mint.as_ref(),
        &trade.amount.to_le_bytes(),
        &trade.payment_ref_hash,
    ])
    .to_bytes()
}

/// The bytes an attestor signs to release `trade`: `"p2p-escrow:release:v2" || digest`.
pub fn attestation_payload(trade_address: &Pubkey, trade: &Trade) -> [u8; ATTESTATION_PAYLOAD_LEN] {
    let mut payload = [0u8; ATTESTATION_PAYLOAD_LEN];
    let (domain, digest) = payload.split_at_mut(ATTESTATION_DOMAIN.len());
    domain.copy_from_slice(ATTESTATION_DOMAIN);
    digest.copy_from_slice(&attestation_digest(trade_address, trade));
    payload
}

/// Checks that the instruction right before the current one is an Ed25519 program instruction that
/// verified `attestor`'s signature over exactly `message` (the attestation payload), with every
/// offset pointing into its own data.
pub fn verify_attestation(
    instructions_sysvar: &AccountInfo,
    attestor: &Pubkey,
    message: &[u8],
) -> Result<()> {
    let current = load_current_index_checked(instructions_sysvar)?;
    let previous = current
        .checked_sub(1)
        .ok_or(EscrowError::AttestationMissing)?;
    let instruction = load_instruction_at_checked(usize::from(previous), instructions_sysvar)?;
    check_ed25519_instruction(&instruction, previous, attestor, message)
}

/// The checks of [`verify_attestation`] on an instruction found at `index`.
pub fn check_ed25519_instruction(
    instruction: &Instruction,
    index: u16,
    attestor: &Pubkey,
    message: &[u8],
) -> Result<()> {
    require_keys_eq!(
        instruction.program_id,
        solana_sdk_ids::ed25519_program::ID,
        EscrowError::AttestationMissing
    );
    let data = &instruction.data;
    require!(
        data.len() >= ED25519_HEADER_LEN + ED25519_OFFSETS_LEN && data[0] == 1,
        EscrowError::AttestationMalformed
    );
    // Seven u16 fields follow the header: signature offset and instruction index, public key
    // offset and index, message offset, size and index.
    let mut fields = data[ED25519_HEADER_LEN..]
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    let mut offsets = [0u16; 7];
    for slot in offsets.iter_mut() {
        *slot = fields.next().ok_or(EscrowError::AttestationMalformed)?;
    }
    let [signature_offset, signature_index, public_key_offset, public_key_index, message_offset, message_size, message_index] =
        offsets;
    let own = |instruction_index: u16| {
        instruction_index == THIS_INSTRUCTION || instruction_index == index
    };
    require!(
        own(signature_index) && own(public_key_index) && own(message_index),
        EscrowError::AttestationMalformed
    );
    let slice = |offset: usize, len: usize| {
        offset
            .checked_add(len)
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| error!(EscrowError::AttestationMalformed))
    };
    slice(usize::from(signature_offset), SIGNATURE_LEN)?;
    let public_key = slice(usize::from(public_key_offset), PUBKEY_LEN)?;
    require!(
        public_key == attestor.as_ref(),
        EscrowError::AttestorMismatch
    );
    let signed = slice(usize::from(message_offset), usize::from(message_size))?;
    require!(
        !(signed.len() == ATTESTATION_V1_LEN && signed.starts_with(ATTESTATION_DOMAIN_V1)),
        EscrowError::AttestationOutdated
    );
    require!(signed == message, EscrowError::AttestationMismatch);
    Ok(())
}
