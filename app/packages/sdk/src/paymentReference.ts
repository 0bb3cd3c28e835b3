/**
 * A trade's payment reference: a short code the buyer types into its bank transfer's reference
 * field, so that whoever reads the seller's bank statements (the seller, a payment attestor) finds
 * the trade a credit pays. Derived from the trade's address, so anyone computes it and nothing is
 * stored.
 *
 * Format: `P2P-` and 11 symbols of Crockford's base 32 (`0-9` and `A-Z` without `I`, `L`, `O`,
 * `U`), shown as `P2P-XXXXX-XXXXX-C`: ten symbols are the first 50 bits of
 * `SHA-256("p2p-escrow:payment-reference:v1" || trade address bytes)`, the last is a Luhn mod 32
 * check symbol over them (it catches every single wrong symbol and most swapped neighbours).
 * Parsing follows Crockford's decoding (case-insensitive; `O` reads as `0`, `I` and `L` as `1`) and
 * ignores spaces and the separators banks and people add (`-`, `.`, `_`, `/`, `:`).
 */
import { getAddressEncoder, type Address, type ReadonlyUint8Array } from "@solana/kit";
import { sha256 } from "@noble/hashes/sha2.js";

import { hashText } from "./client";
import { MAX_MESSAGE_TEXT_LENGTH } from "./room";

/** The alphabet, Crockford's base 32. */
const SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** The domain hashed before the trade's address. */
export const PAYMENT_REFERENCE_DOMAIN = "p2p-escrow:payment-reference:v1";
/** The prefix every reference starts with. */
export const PAYMENT_REFERENCE_PREFIX = "P2P";
/** Symbols after the prefix: ten of the hash, one check symbol. */
const BODY_LENGTH = 11;

/** Luhn mod 32 check symbol of `digits` (values 0..31). */
function checkValue(digits: number[]): number {
  let sum = 0;
  let factor = 2;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    const addend = factor * digits[i];
    sum += Math.floor(addend / 32) + (addend % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return (32 - (sum % 32)) % 32;
}

/** The reference's eleven symbols' values for `trade`. */
function body(trade: Address): number[] {
  const domain = new TextEncoder().encode(PAYMENT_REFERENCE_DOMAIN);
  const address = getAddressEncoder().encode(trade);
  const digest = sha256(new Uint8Array([...domain, ...address]));
  let bits = 0n;
  for (const byte of digest.slice(0, 7)) bits = (bits << 8n) | BigInt(byte);
  // 56 bits read; the first 50 make ten symbols.
  bits >>= 6n;
  const digits: number[] = [];
  for (let i = 9; i >= 0; i -= 1) digits.push(Number((bits >> BigInt(5 * i)) & 31n));
  return [...digits, checkValue(digits)];
}

/** `trade`'s payment reference, as people read and type it: `P2P-XXXXX-XXXXX-C`. */
export function paymentReference(trade: Address): string {
  const symbols = body(trade)
    .map((value) => SYMBOLS[value])
    .join("");
  return `${PAYMENT_REFERENCE_PREFIX}-${symbols.slice(0, 5)}-${symbols.slice(5, 10)}-${symbols[10]}`;
}

/** `text` in Crockford's reading: upper case, `O` as `0`, `I` and `L` as `1`, no separators. */
function normalized(text: string): string {
  return text
    .toUpperCase()
    .replace(/[\s\-._/:]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

/** Whether `body` (eleven symbols) carries a valid check symbol. */
function checks(symbols: string): boolean {
  const values = [...symbols].map((symbol) => SYMBOLS.indexOf(symbol));
  if (values.length !== BODY_LENGTH || values.some((value) => value < 0)) return false;
  return checkValue(values.slice(0, 10)) === values[10];
}

/**
 * `text` as a payment reference in its canonical form (`P2P-XXXXX-XXXXX-C`), or null when it is
 * not one (wrong length, a symbol outside the alphabet, a wrong check symbol). Tolerates case,
 * spaces and common separators.
 */
export function parsePaymentReference(text: string): string | null {
  const plain = normalized(text);
  const prefix = normalized(PAYMENT_REFERENCE_PREFIX);
  if (!plain.startsWith(prefix)) return null;
  const symbols = plain.slice(prefix.length);
  if (!checks(symbols)) return null;
  return `${PAYMENT_REFERENCE_PREFIX}-${symbols.slice(0, 5)}-${symbols.slice(5, 10)}-${symbols[10]}`;
}

/** Separators a reference may carry. */
const SEPARATOR = /[\s\-._/:]/;

/**
 * The payment references (canonical form) that occur in `text`, such as a transfer's remittance
 * information, once each, in order: every `P2P` that does not continue a word, followed by eleven
 * symbols with a valid check (separators and case ignored) and then by no further letter or digit.
 * A text may still hold a chance candidate (one in 32 of `P2P` and eleven unrelated symbols
 * passes the check): matchers count only the references of trades they know.
 */
export function findPaymentReferences(text: string): string[] {
  const found: string[] = [];
  for (const start of text.matchAll(/(?<![0-9A-Za-z])P2P/gi)) {
    let symbols = "";
    let at = start.index + PAYMENT_REFERENCE_PREFIX.length;
    for (; at < text.length && symbols.length < BODY_LENGTH; at += 1) {
      if (SEPARATOR.test(text[at])) continue;
      symbols += text[at];
    }
    if (symbols.length < BODY_LENGTH || /[0-9A-Za-z]/.test(text[at] ?? "")) continue;
    const reference = parsePaymentReference(`${PAYMENT_REFERENCE_PREFIX}${symbols}`);
    if (reference && !found.includes(reference)) found.push(reference);
  }
  return found;
}

/** What `paymentDetailsMessage` adds after the seller's details. */
const REFERENCE_LINE = "\nPayment reference: ";

/**
 * The longest payment details a seller keeps, in bytes of UTF-8: a room message less the line
 * naming the trade's payment reference.
 */
export const MAX_PAYMENT_DETAILS_LENGTH =
  MAX_MESSAGE_TEXT_LENGTH - REFERENCE_LINE.length - "P2P-XXXXX-XXXXX-C".length;

/**
 * The payment details message a seller posts in `trade`'s room: its `details` (where to pay) and a
 * last line with the trade's payment reference, for the buyer to put in the transfer.
 */
export function paymentDetailsMessage(details: string, trade: Address): string {
  return `${details}${REFERENCE_LINE}${paymentReference(trade)}`;
}

/**
 * Of a seller's payment details by method (`{ SEPA: "IBAN …" }`), those of the method whose
 * SHA-256 an offer carries as `paymentTermsHash`, or null when none is.
 */
export async function detailsForMethod(
  methods: Readonly<Record<string, string>>,
  paymentTermsHash: ReadonlyUint8Array,
): Promise<{ method: string; text: string } | null> {
  for (const [method, text] of Object.entries(methods)) {
    const hash = await hashText(method);
    if (
      hash.length === paymentTermsHash.length &&
      hash.every((byte, i) => byte === paymentTermsHash[i])
    ) {
      return { method, text };
    }
  }
  return null;
}
