/**
 * Sends a transaction and follows it to confirmation by polling, reporting each stage, so a
 * command line or a page can show progress. Works against any JSON-RPC endpoint (no WebSocket
 * needed), with few requests: a client reuses its blockhash, and one `getTransaction` answers
 * both whether the transaction is confirmed and what it did. A refusal becomes an `EscrowError` naming the program's error.
 */
import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createSolanaRpc,
  createTransactionMessage,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type Rpc,
  type Signature,
  type SolanaRpcApi,
  type TransactionSigner,
} from "@solana/kit";
import { getSetComputeUnitLimitInstruction } from "@solana-program/compute-budget";

import {
  describeError,
  describeTransactionError,
  EscrowError,
  type ProgramAt,
  type RpcTransactionError,
} from "./errors";
import { eventsOf, type EscrowEvent } from "./events";

export type EscrowRpc = Rpc<SolanaRpcApi>;

/** The local chain's default URL. */
export const LOCAL_CHAIN_URL = "http://127.0.0.1:8899";

export function createEscrowRpc(url: string = LOCAL_CHAIN_URL): EscrowRpc {
  return createSolanaRpc(url);
}

/** Where a transaction is on its way to confirmation. */
export type TransactionProgress =
  | { stage: "signing" }
  | { stage: "sending"; signature: Signature }
  | { stage: "confirming"; signature: Signature; blockHeight: bigint; lastValidBlockHeight: bigint }
  | { stage: "confirmed"; signature: Signature; slot: bigint };

export type SendOptions = {
  /** Compute units the transaction may use (a compute-budget instruction is prepended). */
  computeUnitLimit?: number;
  onProgress?: (progress: TransactionProgress) => void;
  /** How often to ask whether the transaction is confirmed, in milliseconds. */
  pollIntervalMs?: number;
  /**
   * Where the transaction's blockhash comes from: a `RecentBlockhash` shared by the transactions
   * of one client saves a request per transaction; without one, each transaction reads the latest.
   */
  blockhash?: RecentBlockhash;
};

/** A confirmed transaction: its signature, slot and the program's events. */
export type SentTransaction = {
  signature: Signature;
  slot: bigint;
  events: EscrowEvent[];
};

const DEFAULT_COMPUTE_UNIT_LIMIT = 400_000;
const DEFAULT_POLL_INTERVAL_MS = 250;
/** While a transaction is unconfirmed, how often to read the block height to see whether its
 * blockhash expired, in milliseconds. */
const EXPIRY_CHECK_INTERVAL_MS = 2_000;
/**
 * How long a blockhash is reused at most: 20 seconds, and fewer than 30 slots after the slot it
 * was read at. A blockhash is valid for 150 blocks (about a minute at 400 ms slots), so a
 * transaction on a reused one keeps most of that. The slots are those the RPC returns anyway: the
 * blockhash's own, and each confirmed transaction's. A node that forgets blockhashes sooner (the
 * local chain, program-test's bank, records a new one every few milliseconds and keeps 150:
 * about a second) shortens the reuse to half the age at which it forgot one.
 */
const BLOCKHASH_REUSE_MS = 20_000;
const BLOCKHASH_REUSE_SLOTS = 30n;

/** How many `getTransaction` requests reading an account's history keeps in flight. */
const HISTORY_CONCURRENCY = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Blockhash = Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0];

/** How many blockhashes the messages sent on them are remembered for. */
const SENT_BLOCKHASHES = 8;
/** Waiting for a new blockhash to send a message again: attempts, and milliseconds between. */
const NEW_BLOCKHASH_ATTEMPTS = 25;
const NEW_BLOCKHASH_WAIT_MS = 200;

/**
 * The blockhash a client's transactions are built on: read with `getLatestBlockhash` (commitment
 * `confirmed`) and reused for 20 seconds and 30 slots. A message already sent on a blockhash is
 * never sent on it again (the same message on the same blockhash has the same signature, which the
 * chain drops as already processed, and two actions would be reported for one): it waits for a
 * new blockhash.
 */
export class RecentBlockhash {
  private current: { blockhash: Blockhash; readAt: number; slot: bigint } | null = null;
  /** The messages (compiled, base64) sent on each of the last blockhashes. */
  private readonly sent = new Map<string, Set<string>>();
  /** The newest slot the RPC has reported to this client. */
  private seenSlot = 0n;

  constructor(
    private readonly rpc: EscrowRpc,
    private reuseMs: number = BLOCKHASH_REUSE_MS,
  ) {}

  /**
   * A blockhash for a new transaction, and whether it was in reuse; `fresh` reads the latest even
   * if one is in reuse.
   */
  async get(fresh = false): Promise<{ blockhash: Blockhash; reused: boolean }> {
    const current = this.current;
    if (
      !fresh &&
      current &&
      Date.now() - current.readAt < this.reuseMs &&
      this.seenSlot - current.slot < BLOCKHASH_REUSE_SLOTS
    ) {
      return { blockhash: current.blockhash, reused: true };
    }
    const { context, value } = await this.rpc
      .getLatestBlockhash({ commitment: "confirmed" })
      .send();
    if (this.current?.blockhash.blockhash !== value.blockhash) {
      this.current = { blockhash: value, readAt: Date.now(), slot: context.slot };
    }
    this.seen(context.slot);
    return { blockhash: value, reused: false };
  }

  /** Notes a slot the RPC reported (a confirmed transaction's). */
  seen(slot: bigint): void {
    if (slot > this.seenSlot) this.seenSlot = slot;
  }

  /**
   * Records that `message` (a compiled message, base64) goes out on `blockhash`; false if it
   * already went out on it.
   */
  claim(blockhash: Blockhash, message: string): boolean {
    let messages = this.sent.get(blockhash.blockhash);
    if (!messages) {
      messages = new Set();
      this.sent.set(blockhash.blockhash, messages);
      const oldest = this.sent.keys().next().value;
      if (this.sent.size > SENT_BLOCKHASHES && oldest !== undefined) this.sent.delete(oldest);
    }
    if (messages.has(message)) return false;
    messages.add(message);
    return true;
  }

  /**
   * Stops reusing `blockhash` (it expired, or the chain no longer knows it); `shorten` says the
   * node forgot it while in reuse, so blockhashes live shorter there than the reuse assumed: reuse
   * from then on lasts half the age at which it forgot this one.
   */
  forget(blockhash: Blockhash, shorten = false): void {
    const current = this.current;
    if (current?.blockhash.blockhash !== blockhash.blockhash) return;
    if (shorten) this.reuseMs = Math.min(this.reuseMs, (Date.now() - current.readAt) / 2);
    this.current = null;
  }
}

/** A transaction that landed: the program's events, its logs, and whether it failed. */
export type LandedTransaction = {
  events: EscrowEvent[];
  logs: readonly string[];
  slot: bigint;
  blockTime: bigint | null;
  /** The transaction's error, if it failed on chain (its fee was still paid). */
  err: RpcTransactionError | null;
};

/**
 * The transaction `signature` once it is confirmed (commitment `confirmed`), with the program's
 * events; null before (or if it never lands).
 */
export async function fetchTransactionEvents(
  rpc: EscrowRpc,
  signature: Signature,
): Promise<LandedTransaction | null> {
  const transaction = await rpc
    .getTransaction(signature, {
      encoding: "json",
      maxSupportedTransactionVersion: 0,
      commitment: "confirmed",
    })
    .send();
  if (!transaction) return null;
  return {
    events: eventsOf(transaction),
    logs: transaction.meta?.logMessages ?? [],
    slot: transaction.slot,
    blockTime: transaction.blockTime,
    err: (transaction.meta?.err as RpcTransactionError | null | undefined) ?? null,
  };
}

/** The transaction message of `instructions` on `blockhash`, and its compiled bytes (base64). */
function messageOn(
  feePayer: TransactionSigner,
  instructions: readonly Instruction[],
  blockhash: Blockhash,
) {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const compiled = getBase64Decoder().decode(compileTransaction(message).messageBytes);
  return { message, compiled };
}

/** Whether a send failed because the RPC node does not know the transaction's blockhash. */
function blockhashNotFound(error: unknown): boolean {
  const code = SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND;
  return isSolanaError(error, code) || (isSolanaError(error) && isSolanaError(error.cause, code));
}

/**
 * Signs `instructions` with every signer they name (the fee payer first), sends them in one
 * transaction and waits until it is confirmed. Requests: `getLatestBlockhash` (unless
 * `options.blockhash` has one in reuse), `sendTransaction`, then `getTransaction` until the
 * transaction is confirmed (it carries the result and the events), with a `getBlockHeight` every
 * 2 seconds while it is not, to stop at its blockhash's expiry (`TransactionExpired`, after one
 * last `getTransaction`). A reused blockhash the node no longer knows is replaced by the latest
 * and the transaction signed and sent once more; a message already sent on the blockhash waits
 * for a new one (`DuplicateTransaction` if none comes within 5 seconds).
 */
export async function sendInstructions(
  rpc: EscrowRpc,
  feePayer: TransactionSigner,
  instructions: readonly Instruction[],
  options: SendOptions = {},
): Promise<SentTransaction> {
  const report = options.onProgress ?? (() => {});
  const budget = getSetComputeUnitLimitInstruction({
    units: options.computeUnitLimit ?? DEFAULT_COMPUTE_UNIT_LIMIT,
  });
  const all = [budget, ...instructions];
  const programAt: ProgramAt = (index) => all[index]?.programAddress;
  const recent = options.blockhash ?? new RecentBlockhash(rpc, 0);
  let sent: { signature: Signature; blockhash: Blockhash } | null = null;
  for (let fresh = false; !sent; fresh = true) {
    report({ stage: "signing" });
    let { blockhash, reused } = await recent.get(fresh);
    let built = messageOn(feePayer, all, blockhash);
    for (let attempt = 0; !recent.claim(blockhash, built.compiled); attempt++) {
      if (attempt === NEW_BLOCKHASH_ATTEMPTS) {
        throw new EscrowError({
          name: "DuplicateTransaction",
          message:
            "this exact transaction was just sent, and no new blockhash came to send it again: try again in a moment",
          logs: [],
        });
      }
      if (attempt > 0) await sleep(NEW_BLOCKHASH_WAIT_MS);
      ({ blockhash, reused } = await recent.get(true));
      built = messageOn(feePayer, all, blockhash);
    }
    const signed = await signTransactionMessageWithSigners(built.message);
    const signature = getSignatureFromTransaction(signed);
    report({ stage: "sending", signature });
    try {
      await rpc
        .sendTransaction(getBase64EncodedWireTransaction(signed), {
          encoding: "base64",
          preflightCommitment: "confirmed",
        })
        .send();
      sent = { signature, blockhash };
    } catch (error) {
      // The blockhash may be the reason (expired, or unknown to this node): read a new one next.
      const unknown = blockhashNotFound(error);
      recent.forget(blockhash, unknown && reused);
      if (!(reused && unknown)) throw new EscrowError(describeError(error, [], programAt));
    }
  }
  const { signature, blockhash } = sent;
  let checkedAt = Date.now();
  let expired = false;
  for (;;) {
    const landed = await fetchTransactionEvents(rpc, signature);
    if (landed) {
      recent.seen(landed.slot);
      if (landed.err) {
        throw new EscrowError(
          describeTransactionError(landed.err, landed.logs, programAt),
          signature,
        );
      }
      report({ stage: "confirmed", signature, slot: landed.slot });
      return { signature, slot: landed.slot, events: landed.events };
    }
    if (expired) {
      recent.forget(blockhash);
      throw new EscrowError({
        name: "TransactionExpired",
        message: `the transaction was not confirmed before block height ${blockhash.lastValidBlockHeight}`,
        logs: [],
      });
    }
    if (Date.now() - checkedAt >= EXPIRY_CHECK_INTERVAL_MS) {
      checkedAt = Date.now();
      const blockHeight = await rpc.getBlockHeight({ commitment: "confirmed" }).send();
      report({
        stage: "confirming",
        signature,
        blockHeight,
        lastValidBlockHeight: blockhash.lastValidBlockHeight,
      });
      // Past its blockhash's last block the transaction can no longer land: ask once more
      // whether it did (another node may have been behind), then give up.
      expired = blockHeight > blockhash.lastValidBlockHeight;
      if (expired) continue;
    }
    await sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  }
}

/** One program event in an account's history. */
export type AccountEvent = {
  signature: Signature;
  slot: bigint;
  blockTime: bigint | null;
  event: EscrowEvent;
};

/** The program's events of landed transactions, by signature (see `fetchAccountEvents`). */
export type TransactionEvents = Map<Signature, EscrowEvent[]>;

/** The most signatures one `getSignaturesForAddress` request returns. */
const SIGNATURES_PAGE = 1_000;

/**
 * The program's events in the newest `limit` successful transactions that named `account` (a
 * trade, an offer, a person), oldest first, at commitment `confirmed`: an account's timeline, also
 * once the account is closed. Pages through `getSignaturesForAddress` (1,000 a request), then
 * one `getTransaction` each. Anyone's transaction may name any account: callers check what an
 * event is about. With `known`, the events of transactions it holds are not asked again and those
 * of newly landed ones are added to it (a landed transaction's events never change), so a reader
 * polling an account asks once per poll plus once per new transaction.
 */
export async function fetchAccountEvents(
  rpc: EscrowRpc,
  account: Address,
  limit = 1_000,
  known: TransactionEvents = new Map(),
): Promise<AccountEvent[]> {
  const newestFirst: Awaited<
    ReturnType<ReturnType<EscrowRpc["getSignaturesForAddress"]>["send"]>
  >[number][] = [];
  for (;;) {
    const before = newestFirst.at(-1)?.signature;
    const page = await rpc
      .getSignaturesForAddress(account, {
        commitment: "confirmed",
        limit: Math.min(SIGNATURES_PAGE, limit - newestFirst.length),
        ...(before ? { before } : {}),
      })
      .send();
    newestFirst.push(...page);
    if (page.length < SIGNATURES_PAGE || newestFirst.length >= limit) break;
  }
  const succeeded = newestFirst.reverse().filter((entry) => !entry.err);
  // One `getTransaction` per transaction, up to 8 in flight.
  const missing = succeeded.filter((entry) => !known.has(entry.signature));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < missing.length; i = next++) {
      const landed = await fetchTransactionEvents(rpc, missing[i].signature);
      if (landed) known.set(missing[i].signature, landed.events);
    }
  };
  await Promise.all(Array.from({ length: HISTORY_CONCURRENCY }, worker));
  const entries: AccountEvent[] = [];
  for (const entry of succeeded) {
    for (const event of known.get(entry.signature) ?? []) {
      entries.push({
        signature: entry.signature,
        slot: entry.slot,
        blockTime: entry.blockTime,
        event,
      });
    }
  }
  return entries;
}
