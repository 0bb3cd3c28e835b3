/**
 * Payment attestations: the digest a payment service signs to release a trade, and the Ed25519
 * precompile instruction that carries the signature in the same transaction, right before
 * `release_with_attestation`. Format v2 (docs/protocol.md, "Attestation"): the attestor signs the
 * domain followed by the 32-byte SHA-256 digest of the attestation message (53 bytes); the program
 * refuses the v1 format (the whole message signed) with `AttestationOutdated`.
 */
import {
  fixEncoderSize,
  getAddressEncoder,
  getBytesEncoder,
  getStructEncoder,
  getU16Encoder,
  getU64Encoder,
  getU8Encoder,
  getUtf8Encoder,
  signBytes,
  verifySignature,
  type Address,
  type Instruction,
  type ReadonlyUint8Array,
  type SignatureBytes,
} from "@solana/kit";

import { ED25519_PROGRAM_ADDRESS, P2P_ESCROW_PROGRAM_ADDRESS } from "./addresses";

/** The domain that starts every attestation message (format v2). */
export const ATTESTATION_DOMAIN = "p2p-escrow:release:v2";

/** What an attestation commits to: one trade, its buyer, mint, amount and payment reference. */
export type AttestedTrade = {
  trade: Address;
  buyer: Address;
  mint: Address;
  amount: bigint;
  paymentRefHash: ReadonlyUint8Array;
};

/**
 * What an attestation of `trade` covers, read from its account as it is now (`Trade`: its buyer,
 * mint, amount in base units and the payment reference hash it was marked paid with, zeros before).
 */
export function attestedTrade(trade: Address, state: Omit<AttestedTrade, "trade">): AttestedTrade {
  return {
    trade,
    buyer: state.buyer,
    mint: state.mint,
    amount: state.amount,
    paymentRefHash: state.paymentRefHash,
  };
}

const attestationEncoder = getStructEncoder([
  ["domain", getUtf8Encoder()],
  ["program", getAddressEncoder()],
  ["trade", getAddressEncoder()],
  ["buyer", getAddressEncoder()],
  ["mint", getAddressEncoder()],
  ["amount", getU64Encoder()],
  ["paymentRefHash", fixEncoderSize(getBytesEncoder(), 32)],
]);

/**
 * The attestation message (189 bytes): `"p2p-escrow:release:v2" || program id || trade || buyer
 * || mint || amount (u64 LE) || payment_ref_hash`.
 */
export function attestationMessage(attested: AttestedTrade): ReadonlyUint8Array {
  return attestationEncoder.encode({
    ...attested,
    domain: ATTESTATION_DOMAIN,
    program: P2P_ESCROW_PROGRAM_ADDRESS,
  });
}

/** The SHA-256 digest of `attestationMessage` (WebCrypto), 32 bytes. */
export async function attestationDigest(attested: AttestedTrade): Promise<ReadonlyUint8Array> {
  const message = attestationMessage(attested) as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", message));
}

/**
 * The 53 bytes an attestor signs: `"p2p-escrow:release:v2" || attestationDigest`. The domain keeps
 * an attestation from being any opaque 32 bytes a key was asked to sign elsewhere.
 */
export async function attestationPayload(attested: AttestedTrade): Promise<ReadonlyUint8Array> {
  return payloadEncoder.encode({
    domain: ATTESTATION_DOMAIN,
    digest: await attestationDigest(attested),
  });
}

const payloadEncoder = getStructEncoder([
  ["domain", getUtf8Encoder()],
  ["digest", fixEncoderSize(getBytesEncoder(), 32)],
]);

/** Signs the attestation of a trade (its payload) with a payment service's Ed25519 key. */
export async function signAttestation(
  privateKey: CryptoKey,
  attested: AttestedTrade,
): Promise<SignatureBytes> {
  return signBytes(privateKey, await attestationPayload(attested));
}

/** Whether `signature` is `attestor`'s attestation of the trade. */
export async function verifyAttestation(
  attestor: CryptoKey,
  signature: SignatureBytes,
  attested: AttestedTrade,
): Promise<boolean> {
  return verifySignature(attestor, signature, await attestationPayload(attested));
}

const PUBLIC_KEY_SIZE = 32;
const SIGNATURE_SIZE = 64;
/** Every offset points into this instruction's own data. */
const THIS_INSTRUCTION = 0xffff;

/**
 * The Ed25519 precompile's data for one signature: a count and a padding byte, the seven u16
 * offsets of `Ed25519SignatureOffsets`, then the public key, the signature and the message.
 */
const ed25519DataEncoder = getStructEncoder([
  ["signatureCount", getU8Encoder()],
  ["padding", getU8Encoder()],
  ["signatureOffset", getU16Encoder()],
  ["signatureInstructionIndex", getU16Encoder()],
  ["publicKeyOffset", getU16Encoder()],
  ["publicKeyInstructionIndex", getU16Encoder()],
  ["messageDataOffset", getU16Encoder()],
  ["messageDataSize", getU16Encoder()],
  ["messageInstructionIndex", getU16Encoder()],
  ["publicKey", getAddressEncoder()],
  ["signature", fixEncoderSize(getBytesEncoder(), SIGNATURE_SIZE)],
  ["message", getBytesEncoder()],
]);
/** The header before the public key: two bytes and seven u16 offsets. */
const HEADER_SIZE = 2 + 7 * 2;

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
  const messageDataOffset = signatureOffset + SIGNATURE_SIZE;
  const data = ed25519DataEncoder.encode({
    signatureCount: 1,
    padding: 0,
    signatureOffset,
    signatureInstructionIndex: THIS_INSTRUCTION,
    publicKeyOffset,
    publicKeyInstructionIndex: THIS_INSTRUCTION,
    messageDataOffset,
    messageDataSize: message.length,
    messageInstructionIndex: THIS_INSTRUCTION,
    publicKey,
    signature,
    message,
  });
  return { programAddress: ED25519_PROGRAM_ADDRESS, data };
}
