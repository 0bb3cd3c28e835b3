/**
 * The trade room's cryptography: every key and message format, with the audited noble libraries
 * (X25519 from @noble/curves, HKDF-SHA256 from @noble/hashes, XChaCha20-Poly1305 from
 * @noble/ciphers); nothing here is written from scratch.
 *
 * - A room key pair (X25519, RFC 7748) per offer, trade or arbiter account: its secret is
 *   HKDF-SHA256 of the wallet's Ed25519 signature over `roomKeyText(subject)` (salt: the program
 *   id; info: `p2p-escrow:room-key:v1` and the subject's address), so any device with the wallet
 *   derives it again and nothing is stored. Ed25519 signatures are deterministic (RFC 8032).
 * - The conversation key of a trade: HKDF-SHA256 of the X25519 agreement between the seller's and
 *   the buyer's room keys (salt: the program id; info: `p2p-escrow:room:v1` and the trade's
 *   address); both parties compute the same one.
 * - A message body: version (1 byte, 1), nonce (24 random bytes), then the XChaCha20-Poly1305
 *   ciphertext and tag of the text, with associated data `p2p-escrow:room-message:v1`, the trade,
 *   the author and the message kind; so a body cannot be moved to another trade, author or kind.
 * - A disclosure to the arbiter in charge: the conversation key, sealed under the key of the
 *   agreement between the discloser's room key and the arbiter's (info `p2p-escrow:disclosure:v1`
 *   and the trade). An arbiter's note to a party is sealed under the same agreement with info
 *   `p2p-escrow:arbiter-note:v1`.
 *
 * The byte layouts are in docs/protocol.md.
 */
import {
  createSignableMessage,
  getAddressEncoder,
  type Address,
  type MessagePartialSigner,
  type ReadonlyUint8Array,
} from "@solana/kit";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/ciphers/utils.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

import { P2P_ESCROW_PROGRAM_ADDRESS } from "./addresses";
import { EscrowError } from "./errors";
import { MessageKind } from "./generated";

/** The version byte every message body starts with. */
export const ROOM_MESSAGE_VERSION = 1;
const NONCE_LENGTH = 24;
const TAG_LENGTH = 16;
/** The longest message body the program takes (its `MAX_MESSAGE_LEN`), in bytes. */
export const MAX_MESSAGE_LENGTH = 632;
/** The longest text a message seals: the body less its version, nonce and tag, in bytes. */
export const MAX_MESSAGE_TEXT_LENGTH = MAX_MESSAGE_LENGTH - 1 - NONCE_LENGTH - TAG_LENGTH;

/** What a room key belongs to: an offer (the seller's), a trade (the buyer's) or an arbiter. */
export type RoomSubject = { kind: "offer" | "trade" | "arbiter"; address: Address };

/** An X25519 key pair of the room: 32-byte secret and public keys. */
export type RoomKeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

/** Where a message belongs: its trade, its author (the transaction's signer) and its kind. */
export type MessageContext = { trade: Address; author: Address; kind: MessageKind };

const utf8 = (text: string) => new TextEncoder().encode(text);
const addressBytes = (value: Address) => new Uint8Array(getAddressEncoder().encode(value));
const programSalt = () => addressBytes(P2P_ESCROW_PROGRAM_ADDRESS);

function concat(...parts: ReadonlyUint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function roomError(name: string, message: string): EscrowError {
  return new EscrowError({ name, message, logs: [] });
}

/**
 * The text a wallet signs to derive its room key for `subject` (Wallet Standard
 * `solana:signMessage`). It names the program and the subject, so the key is this room's only.
 */
export function roomKeyText(subject: RoomSubject): string {
  return [
    "p2p-escrow room key v1",
    "",
    `Signing this text opens your end-to-end encrypted trade room for ${subject.kind} ${subject.address} of the escrow program ${P2P_ESCROW_PROGRAM_ADDRESS}.`,
    "It sends nothing and costs nothing. Sign it only on a p2p-escrow desk: whoever holds this signature reads the room.",
  ].join("\n");
}

/** The room key pair that `signature` (64 bytes, over `roomKeyText(subject)`) yields. */
export function roomKeyPairFromSignature(
  signature: ReadonlyUint8Array,
  subject: RoomSubject,
): RoomKeyPair {
  if (signature.length !== 64) {
    throw roomError("InvalidSignature", "a wallet signature is 64 bytes");
  }
  const info = concat(utf8("p2p-escrow:room-key:v1"), addressBytes(subject.address));
  const secretKey = hkdf(sha256, new Uint8Array(signature), programSalt(), info, 32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** Asks `wallet` to sign `roomKeyText(subject)` and derives its room key pair from the signature. */
export async function deriveRoomKeyPair(
  wallet: MessagePartialSigner,
  subject: RoomSubject,
): Promise<RoomKeyPair> {
  const [signatures] = await wallet.signMessages([
    createSignableMessage(utf8(roomKeyText(subject))),
  ]);
  const signature = signatures?.[wallet.address];
  if (!signature) throw roomError("InvalidSignature", "the wallet did not sign the room key text");
  return roomKeyPairFromSignature(signature, subject);
}

/** The X25519 agreement of `secretKey` with `publicKey`, refusing a key that yields none. */
function agreement(secretKey: ReadonlyUint8Array, publicKey: ReadonlyUint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(new Uint8Array(secretKey), new Uint8Array(publicKey));
  } catch {
    throw roomError("InvalidRoomKey", "the other room key is not a usable X25519 public key");
  }
}

function derived(
  secretKey: ReadonlyUint8Array,
  publicKey: ReadonlyUint8Array,
  label: string,
  trade: Address,
): Uint8Array {
  const info = concat(utf8(label), addressBytes(trade));
  return hkdf(sha256, agreement(secretKey, publicKey), programSalt(), info, 32);
}

/** A trade's conversation key, from one party's secret key and the other party's public key. */
export function conversationKey(
  secretKey: ReadonlyUint8Array,
  otherPublicKey: ReadonlyUint8Array,
  trade: Address,
): Uint8Array {
  return derived(secretKey, otherPublicKey, "p2p-escrow:room:v1", trade);
}

/** The key a party and the arbiter share for a disclosure of `trade`'s room. */
export function disclosureKey(
  secretKey: ReadonlyUint8Array,
  otherPublicKey: ReadonlyUint8Array,
  trade: Address,
): Uint8Array {
  return derived(secretKey, otherPublicKey, "p2p-escrow:disclosure:v1", trade);
}

/** The key the arbiter and one party share for the arbiter's notes in `trade`'s room. */
export function arbiterNoteKey(
  secretKey: ReadonlyUint8Array,
  otherPublicKey: ReadonlyUint8Array,
  trade: Address,
): Uint8Array {
  return derived(secretKey, otherPublicKey, "p2p-escrow:arbiter-note:v1", trade);
}

function associatedData({ trade, author, kind }: MessageContext): Uint8Array {
  return concat(
    utf8("p2p-escrow:room-message:v1"),
    addressBytes(trade),
    addressBytes(author),
    new Uint8Array([kind]),
  );
}

/**
 * A message body: `text` sealed under `key` for `context`. `nonce` (24 bytes) is random unless
 * given (known-answer tests give it).
 */
export function sealMessage(
  key: ReadonlyUint8Array,
  text: ReadonlyUint8Array,
  context: MessageContext,
  nonce: ReadonlyUint8Array = randomBytes(NONCE_LENGTH),
): Uint8Array {
  const cipher = xchacha20poly1305(
    new Uint8Array(key),
    new Uint8Array(nonce),
    associatedData(context),
  );
  return concat(
    new Uint8Array([ROOM_MESSAGE_VERSION]),
    nonce,
    cipher.encrypt(new Uint8Array(text)),
  );
}

/**
 * The text of a message body sealed under `key` for `context`. Fails with
 * `UnsupportedMessageVersion`, `MessageMalformed` (too short), or `MessageNotAuthentic` (another
 * key, trade, author or kind, or changed bytes).
 */
export function openMessage(
  key: ReadonlyUint8Array,
  body: ReadonlyUint8Array,
  context: MessageContext,
): Uint8Array {
  if (body.length > 0 && body[0] !== ROOM_MESSAGE_VERSION) {
    throw roomError("UnsupportedMessageVersion", `message format version ${body[0]} is not known`);
  }
  if (body.length < 1 + NONCE_LENGTH + TAG_LENGTH) {
    throw roomError("MessageMalformed", "the message is too short to be a sealed message");
  }
  const nonce = body.slice(1, 1 + NONCE_LENGTH);
  const cipher = xchacha20poly1305(
    new Uint8Array(key),
    new Uint8Array(nonce),
    associatedData(context),
  );
  try {
    return cipher.decrypt(new Uint8Array(body.slice(1 + NONCE_LENGTH)));
  } catch {
    throw roomError(
      "MessageNotAuthentic",
      "the message does not open with this room's key for its trade, author and kind",
    );
  }
}
