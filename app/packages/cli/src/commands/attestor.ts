/**
 * The payment attestor (`@p2p-escrow/attestor`): `attestor run` watches a folder for the bank's
 * statements (camt.052, camt.053, camt.054), releases the trades they pay on its signed
 * attestation and keeps a ledger; `attestor report` lists from the ledger what needs a person:
 * alerts, credits that matched nothing with why, refused files, attestations not released.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

import type { Address } from "@solana/kit";

import { Ledger, PaymentAttestor, type AttestorEvent } from "@p2p-escrow/attestor";
import { formatTime } from "@p2p-escrow/sdk";
import {
  arg,
  toAddress,
  toJsonLine,
  UsageError,
  wholeNumber,
  type Command,
  type Context,
  type OptionName,
} from "../common";

/** Where the ledger lives unless `--ledger` says otherwise. */
export const DEFAULT_LEDGER = join(homedir(), ".local", "share", "p2p-escrow", "attestor.sqlite");

function ledgerPath(ctx: Context): string {
  return ctx.values.ledger ?? DEFAULT_LEDGER;
}

/**
 * A list option of `attestor run`: values separated by commas; none when the option is absent. A
 * list given empty (an unset variable, commas only) is a usage mistake: it must never widen what
 * is served to everything.
 */
function list(text: string | undefined, what: string): string[] {
  if (text === undefined) return [];
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length === 0) throw new UsageError(`${what} is empty: leave it out to serve all`);
  return parts;
}

/** `--seller` and `--offer`: addresses separated by commas. */
function addresses(text: string | undefined, what: string): Address[] {
  return list(text, what).map((part) => toAddress(part, what));
}

/** One event of `attestor run` as a person reads it. */
export function describeAttestorEvent(event: AttestorEvent): string {
  switch (event.kind) {
    case "serving":
      return [
        `serving ${event.offers.length} offer(s) naming this attestor: ${event.offers.join(", ") || "none yet"}`,
        ...event.ignored.map(
          (o) => `ignoring offer ${o.offer}: its attestor is ${o.attestor}, not this key`,
        ),
      ].join("\n");
    case "unreadable":
      return `cannot read ${event.file}: ${event.error}`;
    case "refused":
      return `refused ${event.file}: ${event.message}`;
    case "failed":
      return `failed on ${event.file} (read again next pass): ${event.error}`;
    case "read":
      return `read ${event.file} (${event.message}): ${event.credits} credit(s)`;
    case "matched":
      return `${event.dryRun ? "would attest" : "attesting"} trade ${event.trade}: ${event.amount} with ${event.reference} (${event.file}, ${event.where})`;
    case "unmatched":
      return `no trade for ${event.amount ?? "a credit"} in ${event.file} (${event.where}): ${event.reason}: ${event.detail}`;
    case "seen":
      return `already seen: ${event.file} (${event.where})${event.trade ? ` paid trade ${event.trade}` : ""}`;
    case "reversal":
      return `${event.reversal} in ${event.file} (${event.where})${event.references.length ? ` naming ${event.references.join(", ")}` : ""}: never attests`;
    case "alert":
      return `ALERT: ${event.detail}`;
    case "released":
      return `released trade ${event.trade}: ${event.detail} (transaction ${event.transaction})`;
    case "not-released":
      return `not released: trade ${event.trade} ${event.status}: ${event.detail}`;
    case "retry":
      return `relay of trade ${event.trade} failed, trying again: ${event.error}`;
  }
}

async function run(ctx: Context) {
  if (ctx.values.folder === undefined) throw new UsageError("missing --folder");
  const folder = ctx.values.folder;
  if (!existsSync(folder)) throw new UsageError(`--folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`--folder ${folder} is not a folder`);
  const interval = wholeNumber(ctx.values.interval ?? "2000", "--interval", 100, 3_600_000);
  const dryRun = ctx.values["dry-run"] ?? false;
  const path = ledgerPath(ctx);
  // Every option and the key are read before the ledger is opened: a mistake writes nothing.
  const accounts = list(ctx.values.account, "--account");
  const sellers = addresses(ctx.values.seller, "--seller");
  const offers = addresses(ctx.values.offer, "--offer");
  const signer = await ctx.signer();
  // A dry run writes nothing: without a ledger yet, it starts from an empty one in memory.
  const ledger = new Ledger(dryRun && !existsSync(path) ? ":memory:" : path);
  const say = (event: AttestorEvent) => {
    const line = ctx.values.json ? toJsonLine(event) : describeAttestorEvent(event);
    process.stdout.write(`${line}\n`);
    // An alert is also shouted where operators look for trouble.
    if (event.kind === "alert") process.stderr.write(`${describeAttestorEvent(event)}\n`);
  };
  let attestor: PaymentAttestor;
  try {
    attestor = new PaymentAttestor({
      rpc: ctx.rpc,
      // Each release is an event of its own; per-transaction progress lines would bury the
      // alerts on stderr.
      client: ctx.client.with({ onProgress: undefined }),
      signer,
      folder: resolve(folder),
      ledger,
      sellers,
      offers,
      accounts: accounts.length > 0 ? accounts : undefined,
      dryRun,
      report: say,
    });
  } catch (error) {
    ledger.close();
    throw error;
  }
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let announced = false;
    while (!stopping) {
      try {
        if (!announced) await attestor.announce();
        announced = true;
        const waiting = await attestor.pass();
        if (waiting > 0 && ctx.values.once) {
          throw new Error(`${waiting} attestation(s) wait for their relay (see above)`);
        }
      } catch (error) {
        // One pass (`--once`, for a scheduler) fails as a command does.
        if (ctx.values.once) throw error;
        // A daemon outlives an RPC that fails for a while: it says so and tries again.
        process.stderr.write(`attestor: ${(error as Error).message}; trying again\n`);
      }
      if (ctx.values.once) break;
      const until = Date.now() + interval;
      while (!stopping && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
      }
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    ledger.close();
  }
  return { json: null, lines: [] };
}

function report(ctx: Context) {
  const path = ledgerPath(ctx);
  if (!existsSync(path)) throw new UsageError(`no ledger at ${path}: run \`attestor run\` first`);
  const ledger = new Ledger(path);
  try {
    const alerts = ledger.alerts();
    const unmatched = ledger.credits("unmatched");
    const reversals = ledger.credits("reversal");
    const refusedFiles = ledger.refusedFiles();
    const attestations = ledger.attestations();
    const open = attestations.filter((a) => a.status !== "released");
    const unreadable = ledger.unreadableFiles();
    const when = (ms: number) => formatTime(BigInt(Math.floor(ms / 1000)));
    const lines = [
      `ledger ${path}: ${ledger.fileCount()} file(s) read, ${attestations.length - open.length} trade(s) released on an attestation`,
      `alerts (${alerts.length}):`,
      ...alerts.map((a) => `  ${when(a.at)}  trade ${a.trade}: ${a.detail}`),
      `credits that matched nothing (${unmatched.length}), to handle by hand:`,
      ...unmatched.map(
        (c) =>
          `  ${c.amount ?? "?"} ${c.currency ?? ""} booked ${c.bookedAt ?? "?"} from ${c.debtor ?? "unknown"}: ${c.reason}: ${c.detail}\n    ${c.file} (${c.where})  remittance: ${c.remittance || "none"}`,
      ),
      `reversals, returns and debits naming a reference (${reversals.length}):`,
      ...reversals.map(
        (c) =>
          `  ${c.reason} ${c.amount ?? "?"} ${c.currency ?? ""} ${c.reference ?? ""} in ${c.file} (${c.where})`,
      ),
      `refused files (${refusedFiles.length}):`,
      ...refusedFiles.map((f) => `  ${f.file}: ${f.error}`),
      `files that cannot be read (${unreadable.length}):`,
      ...unreadable.map((f) => `  ${f.file}: ${f.error}`),
      `attestations not released (${open.length}):`,
      ...open.map((a) => `  trade ${a.trade} ${a.status}: ${a.detail ?? "waiting for its relay"}`),
    ];
    return {
      json: {
        ledger: path,
        alerts,
        unmatched,
        reversals,
        refusedFiles,
        unreadable,
        attestations,
      },
      lines,
    };
  } finally {
    ledger.close();
  }
}

/** The options only `attestor run` takes. */
const RUN_OPTIONS = [
  "folder",
  "seller",
  "offer",
  "account",
  "interval",
  "dry-run",
  "once",
] as const satisfies OptionName[];

/** The attestor commands, by name. */
export const ATTESTOR_COMMANDS: Record<string, Command> = {
  attestor: {
    usage:
      "attestor <run|report> [--folder DIR] [--ledger FILE] [--seller ADDRESSES] [--offer ADDRESSES] [--account IBANS] [--interval MS] [--dry-run] [--once]",
    summary: `payment attestor (the --keypair is the attestor key offers name): run watches --folder for camt.052/053/054 statements and releases the trades they pay (--seller/--offer: only these, comma-separated; --account: only credits to the seller's accounts; --dry-run: sign nothing; --once: one pass, exit 1 if it fails); one ledger per attestor and folder; report lists what matched nothing and why (ledger ${DEFAULT_LEDGER} or --ledger)`,
    options: ["ledger", ...RUN_OPTIONS],
    async run(ctx) {
      const action = arg(ctx, 0, "run|report");
      if (action === "run") return run(ctx);
      if (action === "report") {
        for (const option of RUN_OPTIONS) {
          if (ctx.values[option] !== undefined)
            throw new UsageError(`--${option} goes with attestor run`);
        }
        return report(ctx);
      }
      throw new UsageError(`attestor run or report, not attestor ${action}`);
    },
  },
};
