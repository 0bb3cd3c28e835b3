/**
 * Reading the program's accounts: one by address, or listings with `getProgramAccounts` memcmp
 * filters (by seller, buyer, mint, offer, arbiter, trade state). Filters on fields after an
 * `Option` are applied after decoding.
 */
import {
  fetchEncodedAccounts,
  getBase58Decoder,
  getBase64Encoder,
  getAddressEncoder,
  getU8Encoder,
  type Address,
  type Base58EncodedBytes,
  type MaybeAccount,
  type MaybeEncodedAccount,
  type ReadonlyUint8Array,
} from "@solana/kit";

import {
  ARBITER_DISCRIMINATOR,
  CONFIG_DISCRIMINATOR,
  decodeArbiter,
  decodeConfig,
  decodeOffer,
  decodeProfile,
  decodeTrade,
  getArbiterDecoder,
  getOfferDecoder,
  getTradeDecoder,
  OFFER_DISCRIMINATOR,
  TRADE_DISCRIMINATOR,
  type Arbiter,
  type Config,
  type Offer,
  type OfferStatus,
  type Profile,
  type Trade,
  TradeState,
} from "./generated";
import {
  arbiterAddress,
  configAddress,
  P2P_ESCROW_PROGRAM_ADDRESS,
  profileAddress,
} from "./addresses";
import { EscrowError } from "./errors";
import { OFFER_OFFSETS, TRADE_OFFSETS } from "./layout";
import type { EscrowRpc } from "./transactions";

export { CONFIG_DISCRIMINATOR };

/** An account's address with its decoded data. */
export type Located<T> = { address: Address; data: T };

type Memcmp = { memcmp: { offset: bigint; bytes: Base58EncodedBytes; encoding: "base58" } };

function memcmp(offset: number, bytes: ReadonlyUint8Array): Memcmp {
  return {
    memcmp: {
      offset: BigInt(offset),
      bytes: getBase58Decoder().decode(bytes) as Base58EncodedBytes,
      encoding: "base58",
    },
  };
}

const addressBytes = (value: Address) => getAddressEncoder().encode(value);

async function programAccounts<T>(
  rpc: EscrowRpc,
  filters: Memcmp[],
  decode: (bytes: ReadonlyUint8Array) => T,
): Promise<Located<T>[]> {
  const found = await rpc
    .getProgramAccounts(P2P_ESCROW_PROGRAM_ADDRESS, { encoding: "base64", filters })
    .send();
  return found.map(({ pubkey, account }) => ({
    address: pubkey,
    data: decode(getBase64Encoder().encode(account.data[0])),
  }));
}

/** The error of a missing config (before `initialize_config`). */
export function configNotFound(): EscrowError {
  return new EscrowError({
    name: "ConfigNotFound",
    message: "the escrow is not initialized on this cluster (no config account)",
    logs: [],
  });
}

/** The error of an unregistered arbiter. */
export function arbiterNotFound(authority: Address): EscrowError {
  return new EscrowError({
    name: "ArbiterNotFound",
    message: `${authority} is not a registered arbiter`,
    logs: [],
  });
}

/** The error of a missing offer. */
export function offerNotFound(offer: Address): EscrowError {
  return new EscrowError({
    name: "OfferNotFound",
    message: `there is no offer at ${offer} (closed, or never created)`,
    logs: [],
  });
}

/** The error of a missing trade. */
export function tradeNotFound(trade: Address): EscrowError {
  return new EscrowError({
    name: "TradeNotFound",
    message: `there is no trade at ${trade} (released, ruled, cancelled, expired, claimed, or never created)`,
    logs: [],
  });
}

/** One account of a batch: its address and the generated decoder of its type. */
export type AccountRead<T extends object> = {
  address: Address;
  decode: (account: MaybeEncodedAccount) => MaybeAccount<T>;
};

/**
 * Reads accounts of several types in one `getMultipleAccounts` request: each read's decoded data,
 * or null where the program has no account (nothing there, or an address it no longer owns: a
 * closed account someone sent lamports to).
 */
export async function readAccounts<T extends object[]>(
  rpc: EscrowRpc,
  reads: { [K in keyof T]: AccountRead<T[K]> },
): Promise<{ [K in keyof T]: T[K] | null }> {
  const accounts = await fetchEncodedAccounts(
    rpc,
    reads.map((read) => read.address),
  );
  return reads.map((read, i) => {
    const account = accounts[i];
    if (!account.exists || account.programAddress !== P2P_ESCROW_PROGRAM_ADDRESS) return null;
    const decoded = read.decode(account);
    return decoded.exists ? decoded.data : null;
  }) as { [K in keyof T]: T[K] | null };
}

/** One account, as `readAccounts` reads it. */
async function readAccount<T extends object>(
  rpc: EscrowRpc,
  read: AccountRead<T>,
): Promise<T | null> {
  const [data] = await readAccounts<[T]>(rpc, [read]);
  return data;
}

/** The config; a `ConfigNotFound` error before `initialize_config`. */
export async function getConfig(rpc: EscrowRpc): Promise<Config> {
  const config = await getMaybeConfig(rpc);
  if (!config) throw configNotFound();
  return config;
}

/** The config, or null before `initialize_config`. */
export async function getMaybeConfig(rpc: EscrowRpc): Promise<Config | null> {
  return readAccount(rpc, { address: await configAddress(), decode: decodeConfig });
}

/** The arbiter whose signing key is `authority`; an `ArbiterNotFound` error if unregistered. */
export async function getArbiter(rpc: EscrowRpc, authority: Address): Promise<Arbiter> {
  const arbiter = await getMaybeArbiter(rpc, authority);
  if (!arbiter) throw arbiterNotFound(authority);
  return arbiter;
}

export async function getMaybeArbiter(rpc: EscrowRpc, authority: Address): Promise<Arbiter | null> {
  return readAccount(rpc, { address: await arbiterAddress(authority), decode: decodeArbiter });
}

/** The profile of `wallet` (its offer and trade counters), or null before its first offer or trade. */
export async function getMaybeProfile(rpc: EscrowRpc, wallet: Address): Promise<Profile | null> {
  return readAccount(rpc, { address: await profileAddress(wallet), decode: decodeProfile });
}

/** The offer at `offer`; an `OfferNotFound` error if there is none. */
export async function getOffer(rpc: EscrowRpc, offer: Address): Promise<Offer> {
  const data = await getMaybeOffer(rpc, offer);
  if (!data) throw offerNotFound(offer);
  return data;
}

/**
 * The offer at `offer`, or null when there is none: nothing there, an account of another program
 * (a mint, a wallet), or another of this program's accounts (by its discriminator).
 */
export async function getMaybeOffer(rpc: EscrowRpc, offer: Address): Promise<Offer | null> {
  return readAccount(rpc, {
    address: offer,
    decode: (account) =>
      account.exists && OFFER_DISCRIMINATOR.every((byte, i) => account.data[i] === byte)
        ? { ...decodeOffer(account), exists: true }
        : { exists: false, address: account.address },
  });
}

/** The trade at `trade`; a `TradeNotFound` error if there is none. */
export async function getTrade(rpc: EscrowRpc, trade: Address): Promise<Trade> {
  const data = await readAccount(rpc, { address: trade, decode: decodeTrade });
  if (!data) throw tradeNotFound(trade);
  return data;
}

/** Every registered arbiter. */
export async function listArbiters(rpc: EscrowRpc): Promise<Located<Arbiter>[]> {
  const decoder = getArbiterDecoder();
  return programAccounts(rpc, [memcmp(0, ARBITER_DISCRIMINATOR)], (b) => decoder.decode(b));
}

export type OfferFilter = {
  seller?: Address;
  mint?: Address;
  arbiter?: Address;
  status?: OfferStatus;
};

/** Offers matching every given criterion, oldest id first per seller. */
export async function listOffers(
  rpc: EscrowRpc,
  filter: OfferFilter = {},
): Promise<Located<Offer>[]> {
  const filters = [memcmp(0, OFFER_DISCRIMINATOR)];
  if (filter.seller) filters.push(memcmp(OFFER_OFFSETS.seller, addressBytes(filter.seller)));
  if (filter.mint) filters.push(memcmp(OFFER_OFFSETS.mint, addressBytes(filter.mint)));
  if (filter.arbiter) filters.push(memcmp(OFFER_OFFSETS.arbiter, addressBytes(filter.arbiter)));
  const decoder = getOfferDecoder();
  const offers = await programAccounts(rpc, filters, (b) => decoder.decode(b));
  return offers
    .filter((offer) => filter.status === undefined || offer.data.status === filter.status)
    .sort(
      (a, b) =>
        a.data.seller.localeCompare(b.data.seller) || Number(a.data.offerId - b.data.offerId),
    );
}

export type TradeFilter = {
  offer?: Address;
  seller?: Address;
  buyer?: Address;
  mint?: Address;
  /** The arbiter in charge: the dispute's arbiter once escalated, else the one chosen at take
   * (settled trades, which have ended, have none). */
  arbiter?: Address;
  state?: TradeState;
};

/** The arbiter that rules on a trade now. */
export function arbiterInCharge(trade: Trade): Address {
  return trade.dispute.__option === "Some" ? trade.dispute.value.arbiter : trade.arbiter;
}

/** Trades matching every given criterion, oldest first. */
export async function listTrades(
  rpc: EscrowRpc,
  filter: TradeFilter = {},
): Promise<Located<Trade>[]> {
  const filters = [memcmp(0, TRADE_DISCRIMINATOR)];
  if (filter.offer) filters.push(memcmp(TRADE_OFFSETS.offer, addressBytes(filter.offer)));
  if (filter.seller) filters.push(memcmp(TRADE_OFFSETS.seller, addressBytes(filter.seller)));
  if (filter.buyer) filters.push(memcmp(TRADE_OFFSETS.buyer, addressBytes(filter.buyer)));
  if (filter.mint) filters.push(memcmp(TRADE_OFFSETS.mint, addressBytes(filter.mint)));
  if (filter.state !== undefined) {
    filters.push(memcmp(TRADE_OFFSETS.state, getU8Encoder().encode(filter.state)));
  }
  const decoder = getTradeDecoder();
  const trades = await programAccounts(rpc, filters, (b) => decoder.decode(b));
  return (
    trades
      // A settled trade has ended: no arbiter is in charge of it any more.
      .filter(
        (trade) =>
          !filter.arbiter ||
          (trade.data.state !== TradeState.Settled &&
            arbiterInCharge(trade.data) === filter.arbiter),
      )
      .sort((a, b) => Number(a.data.createdAt - b.data.createdAt))
  );
}
