/**
 * Payment attestations: the message a payment service signs to release a trade, and the Ed25519
 * precompile instruction that carries the signature in the same transaction, right before
 * `release_with_attestation`.
 */
import {
  getAddressEncoder,
  getU64Encoder,
  getUtf8Encoder,
  signBytes,
  verifySignature,
  type Address,
  type Instruction,
  type ReadonlyUint8Array,
  type SignatureBytes,
} from "@solana/kit";

import { ED25519_PROGRAM_ADDRESS, P2P_ESCROW_PROGRAM_ADDRESS } from "./addresses";

/** The domain that starts every attestation message. */
export const ATTESTATION_DOMAIN = "p2p-escrow:release:v1";

/** What an attestation commits to: one trade, its buyer, mint, amount and payment reference. */
export type AttestedTrade = {
  trade: Address;
  buyer: Address;
  mint: Address;
  amount: bigint;
  paymentRefHash: ReadonlyUint8Array;
};

/**
 * `"p2p-escrow:release:v1" || program id || trade || buyer || mint || amount (u64 LE) ||
 * payment_ref_hash`.
 */
export function attestationMessage(attested: AttestedTrade): Uint8Array {
  const addresses = getAddressEncoder();
  const parts: ReadonlyUint8Array[] = [
    getUtf8Encoder().encode(ATTESTATION_DOMAIN),
    addresses.encode(P2P_ESCROW_PROGRAM_ADDRESS),
    addresses.encode(attested.trade),
    addresses.encode(attested.buyer),
    addresses.encode(attested.mint),
    getU64Encoder().encode(attested.amount),
    attested.paymentRefHash,
  ];
  const message = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}

/** Signs the attestation of a trade with a payment service's Ed25519 key. */
export async function signAttestation(
  privateKey: CryptoKey,
  attested: AttestedTrade,
): Promise<SignatureBytes> {
  return signBytes(privateKey, attestationMessage(attested));
}

/** Whether `signature` is `attestor`'s attestation of the trade. */
export async function verifyAttestation(
  attestor: CryptoKey,
  signature: SignatureBytes,
  attested: AttestedTrade,
): Promise<boolean> {
  return verifySignature(attestor, signature, attestationMessage(attested));
}

const PUBLIC_KEY_SIZE = 32;
const SIGNATURE_SIZE = 64;
/** One signature: a count byte, a padding byte, then seven u16 offsets. */
const HEADER_SIZE = 2 + 7 * 2;
/** Every offset points into this instruction's own data. */
const THIS_INSTRUCTION = 0xffff;

/** The Ed25519 precompile instruction verifying one signature over `message`. */
export function ed25519Instruction(
  publicKey: Address,
  signature: ReadonlyUint8Array,
  message: ReadonlyUint8Array,
): Instruction {
  if (signature.length !== SIGNATURE_SIZE) {
    throw new Error(`an Ed25519 signature has ${SIGNATURE_SIZE} bytes, not ${signature.length}`);
  }
  const publicKeyOffset = HEADER_SIZE;
  const signatureOffset = publicKeyOffset + PUBLIC_KEY_SIZE;
  const messageOffset = signatureOffset + SIGNATURE_SIZE;
  const data = new Uint8Array(messageOffset + message.length);
  const view = new DataView(data.buffer);
  data[0] = 1;
  data[1] = 0;
  const offsets = [
    signatureOffset,
    THIS_INSTRUCTION,
    publicKeyOffset,
    THIS_INSTRUCTION,
    messageOffset,
    message.length,
    THIS_INSTRUCTION,
  ];
  offsets.forEach((value, i) => view.setUint16(2 + 2 * i, value, true));
  data.set(getAddressEncoder().encode(publicKey), publicKeyOffset);
  data.set(signature, signatureOffset);
  data.set(message, messageOffset);
  return { programAddress: ED25519_PROGRAM_ADDRESS, data };
}
