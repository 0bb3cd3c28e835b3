/**
 * A seller's payment details, kept on its own machine and never on chain in the clear: one text per
 * payment method, the method named exactly as the offer's payment terms (`create-offer
 * --payment-terms`, both trimmed), so a take of an offer finds its details by that text's SHA-256.
 * A JSON file, readable by its owner only: `{ "methods": { "SEPA": "IBAN DE89 …, Jane Doe" } }`;
 * a relative `--details-file` is resolved from the working directory.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

import type { Address, KeyPairSigner } from "@solana/kit";

import {
  getOffer,
  getTrade,
  detailsForMethod,
  listTrades,
  MAX_PAYMENT_DETAILS_LENGTH,
  MessageKind,
  paymentDetailsMessage,
  TradeRoom,
  TradeState,
  unanswered,
} from "@p2p-escrow/sdk";
import { fetchSysvarClock } from "@solana/sysvars";
import { UsageError, type Context } from "./common";

/** Where the details live unless `--details-file` says otherwise. */
export const DEFAULT_DETAILS_FILE = join(
  homedir(),
  ".config",
  "p2p-escrow",
  "payment-details.json",
);

export type PaymentDetails = { methods: Record<string, string> };

export function detailsFile(ctx: Context): string {
  return ctx.values["details-file"] ?? DEFAULT_DETAILS_FILE;
}

/** The details in `path` (none when the file does not exist yet). */
export function readDetails(path: string): PaymentDetails {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { methods: {} };
    throw new UsageError(`cannot read the payment details file ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`the payment details file ${path} is not JSON`);
  }
  const methods = (parsed as PaymentDetails | null)?.methods;
  if (
    typeof methods !== "object" ||
    methods === null ||
    Object.values(methods).some((value) => typeof value !== "string")
  ) {
    throw new UsageError(`the payment details file ${path} has no "methods" of texts`);
  }
  return { methods };
}

/** Sets the details of `method` in `path`, created readable by its owner only. */
export function writeDetails(path: string, method: string, text: string): void {
  if (method === "") throw new UsageError("a payment method has a name");
  const length = new TextEncoder().encode(text).length;
  if (length === 0 || length > MAX_PAYMENT_DETAILS_LENGTH) {
    throw new UsageError(
      `payment details are 1 to ${MAX_PAYMENT_DETAILS_LENGTH} bytes (one room message with the trade's payment reference), not ${length}`,
    );
  }
  const details = readDetails(path);
  details.methods[method] = text;
  saveDetails(path, details);
}

/** Removes the details of `method` from `path`; `UsageError` when it has none. */
export function removeDetails(path: string, method: string): void {
  const details = readDetails(path);
  if (!(method in details.methods)) throw new UsageError(`no details for ${method} in ${path}`);
  delete details.methods[method];
  saveDetails(path, details);
}

/** Writes `details` to `path`, created readable by its owner only. */
function saveDetails(path: string, details: PaymentDetails): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(details, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Answers takes for a seller (`watch --send-details`): posts the details of the offer's payment
 * method and the trade's payment reference, sealed, as the "payment details" message of each trade
 * of the seller that has none yet, which starts the buyer's payment window. Returns what it did,
 * one line per trade.
 */
export class DetailsSender {
  constructor(
    private readonly ctx: Context,
    private readonly seller: KeyPairSigner,
    private readonly details: PaymentDetails,
  ) {}

  /**
   * Answers every locked trade of the seller still waiting for details, but those its response
   * window already passed (the program would refuse them).
   */
  async answerOpen(): Promise<string[]> {
    const trades = await listTrades(this.ctx.rpc, {
      seller: this.seller.address,
      state: TradeState.Locked,
    });
    const { unixTimestamp: now } = await fetchSysvarClock(this.ctx.rpc);
    const lines: string[] = [];
    for (const trade of trades) {
      if (trade.data.detailsAt === 0n && !unanswered(trade.data, now)) {
        lines.push(await this.answer(trade.address));
      }
    }
    return lines;
  }

  /** Answers one trade, if it is the seller's and waits for details. */
  async answer(trade: Address): Promise<string> {
    try {
      const state = await getTrade(this.ctx.rpc, trade);
      if (state.seller !== this.seller.address) return `trade ${trade} is not ours`;
      if (state.detailsAt !== 0n) return `trade ${trade} already has our details`;
      const offer = await getOffer(this.ctx.rpc, state.offer);
      const found = await detailsForMethod(this.details.methods, offer.terms.paymentTermsHash);
      if (found && new TextEncoder().encode(found.text).length > MAX_PAYMENT_DETAILS_LENGTH) {
        return `the ${found.method} details are longer than ${MAX_PAYMENT_DETAILS_LENGTH} bytes (details set shortens them): trade ${trade} waits`;
      }
      if (!found) {
        return `no details for the payment method of offer ${state.offer} (details set <method> <text>, the method as in its --payment-terms): trade ${trade} waits`;
      }
      const room = await TradeRoom.open(this.ctx.client, this.seller, trade);
      await room.send(paymentDetailsMessage(found.text, trade), MessageKind.PaymentDetails);
      return `sent the ${found.method} details to trade ${trade}`;
    } catch (error) {
      return `could not answer trade ${trade}: ${(error as Error).message}`;
    }
  }
}
