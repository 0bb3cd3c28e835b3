/**
 * The terms a take fixes, and their hash: `take_offer` carries `expectedTermsHash`, the hash of
 * the terms the buyer was shown, and the program refuses the take (`TermsMismatch`) when the terms
 * as they stand hash differently. Layout (docs/protocol.md, "Take terms"; the program's
 * `terms.rs`): `SHA-256("p2p-escrow:take-terms:v1" || borsh(TakeTerms))`.
 */
import {
  getAddressCodec,
  getI64Codec,
  getOptionCodec,
  getStructCodec,
  getStructEncoder,
  getU16Codec,
  getUtf8Encoder,
  type Address,
  type ReadonlyUint8Array,
} from "@solana/kit";

import { getOfferTermsCodec, type OfferTerms } from "./generated";

/** The domain that starts the hashed take terms. */
export const TAKE_TERMS_DOMAIN = "p2p-escrow:take-terms:v1";

/** Every term that decides a trade's outcome, as a take by one buyer fixes it. */
export type TakeTerms = {
  /** The offer's mint. */
  mint: Address;
  /** The offer's terms, as its account holds them. */
  terms: OfferTerms;
  /** The protocol fee, in bps. */
  feeBps: number;
  /** The offer's arbiter's fee, in bps. */
  arbiterFeeBps: number;
  /** The fallback arbiter the trade would fix; null when the config's is not usable for it. */
  fallbackArbiter: Address | null;
  /** The default ruling's share for the buyer, in bps. */
  defaultBuyerBps: number;
  /** The arbiters' ruling window, in seconds. */
  rulingWindow: bigint;
};

/** The terms' Borsh layout, the program's `TakeTerms` field by field. */
const termsCodec = getStructCodec([
  ["mint", getAddressCodec()],
  ["terms", getOfferTermsCodec()],
  ["feeBps", getU16Codec()],
  ["arbiterFeeBps", getU16Codec()],
  ["fallbackArbiter", getOptionCodec(getAddressCodec())],
  ["defaultBuyerBps", getU16Codec()],
  ["rulingWindow", getI64Codec()],
]);
const takeTermsEncoder = getStructEncoder([
  ["domain", getUtf8Encoder()],
  ["terms", termsCodec],
]);

/** The bytes the program hashes: the domain, then the terms in Borsh. */
export function takeTermsBytes(terms: TakeTerms): ReadonlyUint8Array {
  return takeTermsEncoder.encode({ domain: TAKE_TERMS_DOMAIN, terms });
}

/** `expectedTermsHash` for a buyer who saw `terms`: SHA-256 of `takeTermsBytes` (WebCrypto). */
export async function takeTermsHash(terms: TakeTerms): Promise<ReadonlyUint8Array> {
  const bytes = takeTermsBytes(terms) as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * The names of the terms that differ between what a buyer saw and what stands now, compared as
 * the program compares them (through their bytes, so `105` and `105n`, `null` and `none`, agree).
 */
export function changedTakeTerms(seen: TakeTerms, now: TakeTerms): string[] {
  const flat = (terms: TakeTerms): Record<string, string> => {
    const { terms: offerTerms, ...rest } = termsCodec.decode(termsCodec.encode(terms));
    const entries = [
      ...Object.entries(offerTerms).map(([key, value]) => [`terms.${key}`, value]),
      ...Object.entries(rest),
    ];
    return Object.fromEntries(
      entries.map(([key, value]) => [
        key,
        JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
      ]),
    );
  };
  const [before, after] = [flat(seen), flat(now)];
  return Object.keys(after).filter((key) => before[key] !== after[key]);
}
