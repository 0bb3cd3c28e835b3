/**
 * Byte offsets of the account fields that listings filter on with `getProgramAccounts` memcmp
 * filters. Only fields before the first `Option` have a fixed offset (Borsh writes `None` as one
 * byte); later fields (an offer's status) are filtered after decoding. The byte-level tests check
 * every offset against account bytes the Rust program serialized.
 */
export const ACCOUNT_DISCRIMINATOR_SIZE = 8;

/** `Offer`: discriminator, seller, offer_id, mint, token_program, vault, available, locked, terms. */
export const OFFER_OFFSETS = {
  seller: 8,
  mint: 48,
  /** `terms.arbiter`. */
  arbiter: 235,
} as const;

/** `Trade`: discriminator, offer, trade_index, seller, buyer, mint, amount, fiat_amount, fee_bps,
 * arbiter, arbiter_fee_bps, buyer_bond, state. */
export const TRADE_OFFSETS = {
  offer: 8,
  seller: 48,
  buyer: 80,
  mint: 112,
  /** The arbiter chosen at take; an escalated dispute names its new arbiter in `dispute`. */
  arbiter: 162,
  state: 204,
} as const;
