/**
 * Sends a transaction and follows it to confirmation by polling, reporting each stage, so a
 * command line or a page can show progress. Works against any JSON-RPC endpoint (no WebSocket
 * needed). A refusal becomes an `EscrowError` naming the program's error.
 */
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
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
  /** How often to poll the signature's status, in milliseconds. */
  pollIntervalMs?: number;
};

/** A confirmed transaction: its signature, slot and the program's events. */
export type SentTransaction = {
  signature: Signature;
  slot: bigint;
  events: EscrowEvent[];
};

const DEFAULT_COMPUTE_UNIT_LIMIT = 400_000;
const DEFAULT_POLL_INTERVAL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The program's events in a landed transaction, and its logs. */
export async function fetchTransactionEvents(
  rpc: EscrowRpc,
  signature: Signature,
): Promise<{
  events: EscrowEvent[];
  logs: readonly string[];
  slot: bigint;
  blockTime: bigint | null;
} | null> {
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
  };
}

/**
 * Signs `instructions` with every signer they name (the fee payer first), sends them in one
 * transaction and waits until it is confirmed.
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
  report({ stage: "signing" });
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: "confirmed" }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(all, m),
  );
  const signed = await signTransactionMessageWithSigners(message);
  const signature = getSignatureFromTransaction(signed);
  report({ stage: "sending", signature });
  try {
    await rpc
      .sendTransaction(getBase64EncodedWireTransaction(signed), {
        encoding: "base64",
        preflightCommitment: "confirmed",
      })
      .send();
  } catch (error) {
    throw new EscrowError(describeError(error, [], programAt));
  }
  for (;;) {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) {
      const landed = await fetchTransactionEvents(rpc, signature);
      throw new EscrowError(
        describeTransactionError(status.err as RpcTransactionError, landed?.logs ?? [], programAt),
        signature,
      );
    }
    if (status && status.confirmationStatus !== "processed") {
      report({ stage: "confirmed", signature, slot: status.slot });
      const landed = await fetchTransactionEvents(rpc, signature);
      return { signature, slot: status.slot, events: landed?.events ?? [] };
    }
    const blockHeight = await rpc.getBlockHeight({ commitment: "confirmed" }).send();
    if (blockHeight > blockhash.lastValidBlockHeight) {
      throw new EscrowError({
        name: "TransactionExpired",
        message: `the transaction was not confirmed before block height ${blockhash.lastValidBlockHeight}`,
        logs: [],
      });
    }
    report({
      stage: "confirming",
      signature,
      blockHeight,
      lastValidBlockHeight: blockhash.lastValidBlockHeight,
    });
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

/**
 * The program's events in every successful transaction that named `account` (a trade, an offer,
 * a person), oldest first: an account's timeline, also once the account is closed.
 */
export async function fetchAccountEvents(
  rpc: EscrowRpc,
  account: Address,
  limit = 1_000,
): Promise<AccountEvent[]> {
  const signatures = await rpc.getSignaturesForAddress(account, { limit }).send();
  const entries: AccountEvent[] = [];
  for (const entry of [...signatures].reverse()) {
    if (entry.err) continue;
    const landed = await fetchTransactionEvents(rpc, entry.signature);
    for (const event of landed?.events ?? []) {
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
