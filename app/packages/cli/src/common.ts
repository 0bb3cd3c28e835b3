/**
 * What every command of the `p2p-escrow` command line shares: its options, the context a command
 * runs in, the argument helpers, and how results are described and printed.
 */
import { parseArgs } from "node:util";

import { address, type Address, type KeyPairSigner } from "@solana/kit";

import {
  EscrowClient,
  fetchMaybeOffer,
  fiatCurrencyCode,
  getMintInfo,
  getOffer,
  getTrade,
  MessageKind,
  OfferStatus,
  Resolution,
  TradeState,
  type ActionResult,
  type EscrowEvent,
  type EscrowRpc,
  type MintInfo,
  type Offer,
  type Trade,
  formatAmount,
  formatFiat,
  formatDuration,
  formatTime,
  parseAmount,
  paymentReference,
  proposalOf,
} from "@p2p-escrow/sdk";

/**
 * JSON for `--json`: bigints as strings, a fiat currency as its code, other byte arrays as hex.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (key, v) => {
      if (typeof v === "bigint") return v.toString();
      // A fiat currency reads as its ISO 4217 code; other bytes (hashes) as hex.
      if (key === "fiatCurrency" && v instanceof Uint8Array) return fiatCurrencyCode(v);
      if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
      return v;
    },
    2,
  );
}

/** `toJson` on one line: a record of a long-running command's output (JSON lines). */
export function toJsonLine(value: unknown): string {
  return toJson(value).replace(/\n\s*/g, " ");
}

/**
 * Every option of the command line. `url`, `keypair`, `json` and `help` are global; each command
 * names the others it takes (`Command.options`).
 */
export const OPTIONS = {
  url: { type: "string", short: "u" },
  keypair: { type: "string", short: "k" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  // offers
  mint: { type: "string" },
  amount: { type: "string" },
  price: { type: "string" },
  currency: { type: "string" },
  min: { type: "string" },
  max: { type: "string" },
  arbiter: { type: "string" },
  attestor: { type: "string" },
  bond: { type: "string" },
  "payment-window": { type: "string" },
  "release-window": { type: "string" },
  "response-window": { type: "string" },
  "payment-terms": { type: "string" },
  "allowed-buyer": { type: "string" },
  // trades and disputes
  reference: { type: "string" },
  payer: { type: "string" },
  file: { type: "string" },
  uri: { type: "string" },
  "buyer-bps": { type: "string" },
  counterparty: { type: "string" },
  signature: { type: "string" },
  relay: { type: "boolean" },
  // the trade room
  kind: { type: "string" },
  "details-file": { type: "string" },
  "send-details": { type: "boolean" },
  // the payment attestor
  folder: { type: "string" },
  ledger: { type: "string" },
  account: { type: "string" },
  "dry-run": { type: "boolean" },
  once: { type: "boolean" },
  // listings
  seller: { type: "string" },
  buyer: { type: "string" },
  offer: { type: "string" },
  status: { type: "string" },
  state: { type: "string" },
  owner: { type: "string" },
  to: { type: "string" },
  destination: { type: "string" },
  recipient: { type: "string" },
  // watch
  count: { type: "string" },
  interval: { type: "string" },
  // tokens
  decimals: { type: "string" },
  "token-2022": { type: "boolean" },
  "transfer-fee-bps": { type: "string" },
  "transfer-fee-max": { type: "string" },
  // protocol administration
  "fee-bps": { type: "string" },
  "fallback-arbiter": { type: "string" },
  "ruling-window": { type: "string" },
  "default-buyer-bps": { type: "string" },
  only: { type: "string" },
  active: { type: "string" },
  "register-arbiter": { type: "string", multiple: true },
} as const;

/** The name of an option. */
export type OptionName = keyof typeof OPTIONS;

/** The options every command takes. */
export const GLOBAL_OPTIONS = ["url", "keypair", "json", "help"] as const satisfies OptionName[];

/** Every option any command reads, typed. */
export type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>["values"];

/** A command's answer: what `--json` prints, and the lines a person reads. */
export type Output = { json: unknown; lines: string[] };

export type Context = {
  rpc: EscrowRpc;
  url: string;
  client: EscrowClient;
  values: Values;
  args: string[];
  /** The `--keypair` signer (default: the Solana CLI's id.json). */
  signer: () => Promise<KeyPairSigner>;
};

/** A command: its usage line, a one-line summary, the options it takes, and what it does. */
export type Command = {
  usage: string;
  summary: string;
  /** Its own options; any other (but the global ones) is refused before it runs. */
  options: readonly OptionName[];
  run: (ctx: Context) => Promise<Output>;
};

/** A usage mistake: printed with the command's usage, exit status 2. */
export class UsageError extends Error {}

export function arg(ctx: Context, index: number, name: string): string {
  const value = ctx.args[index];
  if (value === undefined) throw new UsageError(`missing <${name}>`);
  return value;
}

export function option(ctx: Context, name: keyof Values): string {
  const value = ctx.values[name];
  if (typeof value !== "string") throw new UsageError(`missing --${name}`);
  return value;
}

export function toAddress(text: string, what: string): Address {
  try {
    return address(text);
  } catch {
    throw new UsageError(`${what} "${text}" is not a valid address`);
  }
}

/**
 * A whole number from `min` to `max` written in decimal digits only: a blank, a sign, an exponent
 * or hexadecimal is a usage mistake, never read as some number.
 */
export function wholeNumber(text: string, what: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

/** Basis points: a whole number from 0 to 10000. */
export function bps(text: string, what: string): number {
  return wholeNumber(text, `${what} (basis points)`, 0, 10_000);
}

export function sol(text: string): bigint {
  return parseAmount(text, 9);
}

/** The `--destination` token account, if given. */
export function destinationOption(ctx: Context): Address | undefined {
  return ctx.values.destination ? toAddress(ctx.values.destination, "--destination") : undefined;
}

export function sent(
  result: ActionResult,
  lines: string[],
  json: Record<string, unknown> = {},
): Output {
  const held = result.events.flatMap((event) =>
    event.name === "payoutHeld"
      ? [
          `the buyer's account could not receive: ${event.data.tokens} base units and ${event.data.lamports} lamports wait on trade ${event.data.trade} for \`p2p-escrow claim\``,
        ]
      : [],
  );
  return {
    json: { signature: result.signature, slot: result.slot, ...json, events: result.events },
    lines: [...lines, ...held, `signature ${result.signature} (slot ${result.slot})`],
  };
}

export function describeEvent(event: EscrowEvent): string {
  const fields = Object.entries(event.data)
    .filter(([key]) => key !== "discriminator")
    .map(([key, value]) => {
      if (key === "fiatCurrency" && value instanceof Uint8Array)
        return `${key}=${fiatCurrencyCode(value)}`;
      if (key === "resolution" && typeof value === "number")
        return `${key}=${Resolution[value as Resolution]}`;
      if (key === "kind" && event.name === "messagePosted")
        return `${key}=${MessageKind[value as MessageKind]}`;
      if (value instanceof Uint8Array)
        return `${key}=${Buffer.from(value).toString("hex").slice(0, 16)}…`;
      if (value && typeof value === "object" && "__option" in value) {
        return `${key}=${value.__option === "Some" ? String((value as { value: unknown }).value) : "none"}`;
      }
      return `${key}=${String(value)}`;
    });
  return `${event.name} ${fields.join(" ")}`;
}

export function offerLines(addr: Address, offer: Offer, mint: MintInfo): string[] {
  const t = offer.terms;
  const amount = (value: bigint) => formatAmount(value, mint.decimals);
  return [
    `offer ${addr}  #${offer.offerId}  ${OfferStatus[offer.status].toLowerCase()}`,
    `  seller ${offer.seller}`,
    `  mint ${offer.mint}  available ${amount(offer.available)}  locked ${amount(offer.locked)}`,
    `  price ${formatFiat(t.price)} ${fiatCurrencyCode(t.fiatCurrency)} per token  limits ${amount(t.minTradeAmount)}–${amount(t.maxTradeAmount)}`,
    `  windows: respond ${t.responseWindow === 0n ? "none" : formatDuration(t.responseWindow)}, pay ${formatDuration(t.paymentWindow)}, release ${formatDuration(t.releaseWindow)}  bond ${formatAmount(t.buyerBond, 9)} SOL`,
    `  arbiter ${t.arbiter}  attestor ${t.attestor.__option === "Some" ? t.attestor.value : "none"}`,
  ];
}

export function tradeLines(addr: Address, trade: Trade, mint: MintInfo): string[] {
  const lines = [
    `trade ${addr}  ${TradeState[trade.state].toLowerCase()}`,
    `  offer ${trade.offer}  seller ${trade.seller}  buyer ${trade.buyer}`,
    `  amount ${formatAmount(trade.amount, mint.decimals)}  fiat ${formatFiat(trade.fiatAmount)}  bond ${formatAmount(trade.buyerBond, 9)} SOL`,
    `  payment deadline ${formatTime(trade.paymentDeadline)}  payment reference ${paymentReference(addr)}`,
  ];
  if (trade.state !== TradeState.Locked) {
    lines.push(
      `  paid ${formatTime(trade.paidAt)}  release deadline ${formatTime(trade.releaseDeadline)}`,
    );
  }
  if (trade.responseDeadline !== 0n) {
    lines.push(
      trade.detailsAt === 0n
        ? `  waiting for the seller's payment details until ${formatTime(trade.responseDeadline)}`
        : `  payment details posted ${formatTime(trade.detailsAt)}`,
    );
  }
  const proposal = proposalOf(trade);
  if (proposal) {
    lines.push(
      `  proposal by ${proposal.proposedBy}: ${formatAmount(proposal.buyerAmount, mint.decimals)} tokens to the buyer (accept <trade> <buyer-amount>)`,
    );
  }
  if (trade.dispute.__option === "Some") {
    const d = trade.dispute.value;
    lines.push(
      `  dispute opened by ${d.openedBy} at ${formatTime(d.openedAt)}${d.escalated ? " (escalated)" : ""}`,
      `  arbiter in charge ${d.arbiter}  ruling deadline ${formatTime(d.rulingDeadline)}`,
    );
  }
  return lines;
}

export async function offerMint(
  ctx: Context,
  offer: Address,
): Promise<{ offer: Offer; mint: MintInfo }> {
  const state = await getOffer(ctx.rpc, offer);
  return { offer: state, mint: await getMintInfo(ctx.rpc, state.mint) };
}

export async function tradeMint(
  ctx: Context,
  trade: Address,
): Promise<{ trade: Trade; mint: MintInfo }> {
  const state = await getTrade(ctx.rpc, trade);
  return { trade: state, mint: await getMintInfo(ctx.rpc, state.mint) };
}

/**
 * An offer as `--json` prints it: the account's fields in base units (tokens), lamports (bond) and
 * fiat minor units (price), and `display`, the same amounts as people read them.
 */
export function offerJson(address: Address, offer: Offer, mint: MintInfo) {
  const t = offer.terms;
  const tokens = (value: bigint) => formatAmount(value, mint.decimals);
  const currency = fiatCurrencyCode(t.fiatCurrency);
  return {
    address,
    ...offer,
    decimals: mint.decimals,
    display: {
      available: tokens(offer.available),
      locked: tokens(offer.locked),
      minTradeAmount: tokens(t.minTradeAmount),
      maxTradeAmount: tokens(t.maxTradeAmount),
      price: `${formatFiat(t.price)} ${currency}`,
      buyerBond: `${formatAmount(t.buyerBond, 9)} SOL`,
    },
  };
}

/**
 * A trade as `--json` prints it, with `display` as for offers (`currency`: the offer's, or null
 * once a settled trade's offer is closed).
 */
export function tradeJson(address: Address, trade: Trade, mint: MintInfo, currency: string | null) {
  return {
    address,
    ...trade,
    decimals: mint.decimals,
    display: {
      amount: formatAmount(trade.amount, mint.decimals),
      fiatAmount:
        currency === null
          ? formatFiat(trade.fiatAmount)
          : `${formatFiat(trade.fiatAmount)} ${currency}`,
      buyerBond: `${formatAmount(trade.buyerBond, 9)} SOL`,
    },
  };
}

/** The fiat currency of a trade's offer; null once the offer is closed. */
export async function tradeCurrency(ctx: Context, trade: Trade): Promise<string | null> {
  const offer = await fetchMaybeOffer(ctx.rpc, trade.offer);
  return offer.exists ? fiatCurrencyCode(offer.data.terms.fiatCurrency) : null;
}
