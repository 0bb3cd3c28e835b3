/**
 * Turns whatever a failed transaction throws (a refused preflight, a transaction that failed on
 * chain, a program error code) into the program's error name and message, for people to read.
 */
import {
  getSolanaErrorFromTransactionError,
  isSolanaError,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  type Address,
} from "@solana/kit";

import * as tokenProgram from "@solana-program/token";
import { getTokenErrorMessage, type TokenError } from "@solana-program/token";

import { ED25519_PROGRAM_ADDRESS, P2P_ESCROW_PROGRAM_ADDRESS } from "./addresses";
import { ANCHOR_ERRORS } from "./anchorErrors";
import idl from "./generated/idl.json" with { type: "json" };

/** A refusal or failure, as a person should see it. */
export type ErrorDescription = {
  /** The error's name: `NotSeller`, `TradeNotPaid`, anchor's `ConstraintSeeds`, ... */
  name: string;
  message: string;
  /** The custom error code, when the error has one. */
  code?: number;
  /** The transaction's logs, when the chain returned them. */
  logs: readonly string[];
};

const TOKEN_ERROR_PREFIX = "TOKEN_ERROR__";
/** Anchor's framework errors start at 100; below are the token program's, met through CPI. */
const FIRST_ANCHOR_ERROR = 100;

/** `NOT_UPGRADE_AUTHORITY` -> `NotUpgradeAuthority`. */
function pascalCase(constant: string): string {
  return constant
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** Error names by code, read from a generated client's error constants. */
function errorNames(module: object, prefix: string): ReadonlyMap<number, string> {
  return new Map(
    (Object.entries(module) as [string, unknown][])
      .filter(
        (entry): entry is [string, number] =>
          entry[0].startsWith(prefix) && typeof entry[1] === "number",
      )
      .map(([constant, code]) => [code, pascalCase(constant.slice(prefix.length))]),
  );
}

/**
 * The program's errors by code, from the IDL (the generated client hides its messages in
 * production bundles, and a front end must show them).
 */
const PROGRAM_ERRORS: ReadonlyMap<number, { name: string; message: string }> = new Map(
  idl.errors.map((error) => [error.code, { name: error.name, message: error.msg }]),
);
const TOKEN_ERROR_NAMES = errorNames(tokenProgram, TOKEN_ERROR_PREFIX);

/** The Ed25519 precompile's errors (`PrecompileError`), met when an attestation does not verify. */
const ED25519_ERRORS: ReadonlyMap<number, { name: string; message: string }> = new Map([
  [
    0,
    { name: "InvalidPublicKey", message: "the attestor's public key is not a valid Ed25519 key" },
  ],
  [1, { name: "InvalidRecoveryId", message: "invalid recovery id" }],
  [
    2,
    {
      name: "InvalidSignature",
      message: "the attestation's signature does not verify for this attestor",
    },
  ],
  [3, { name: "InvalidDataOffsets", message: "the Ed25519 instruction's offsets are invalid" }],
  [
    4,
    {
      name: "InvalidInstructionDataSize",
      message: "the Ed25519 instruction's data has the wrong size",
    },
  ],
]);

/** Which program an instruction of the failed transaction calls. */
export type ProgramAt = (instructionIndex: number) => Address | undefined;

/** Every program error: code, name and message. */
export function programErrors(): { code: number; name: string; message: string }[] {
  return [...PROGRAM_ERRORS].map(([code, error]) => ({ code, ...error }));
}

/** Anchor's error log line: `... Error Code: X. Error Number: N. Error Message: M.` */
const ANCHOR_LOG = /Error Code: (\w+)\. Error Number: (\d+)\. Error Message: (.*?)\.?$/;

/**
 * Name and message of a custom error code: the program's own errors, then anchor's error line in
 * the logs, then anchor's framework errors.
 */
export function describeCustomError(
  code: number,
  logs: readonly string[] = [],
  program: Address = P2P_ESCROW_PROGRAM_ADDRESS,
): ErrorDescription {
  if (program === ED25519_PROGRAM_ADDRESS) {
    const precompile = ED25519_ERRORS.get(code);
    if (precompile) return { ...precompile, code, logs };
  }
  if (program !== P2P_ESCROW_PROGRAM_ADDRESS) {
    return {
      name: `Custom${code}`,
      code,
      logs,
      message: `program ${program} failed with custom error ${code}`,
    };
  }
  const programError = PROGRAM_ERRORS.get(code);
  if (programError) return { ...programError, code, logs };
  for (const line of logs) {
    const match = ANCHOR_LOG.exec(line);
    if (match && Number(match[2]) === code) {
      return { name: match[1], code, logs, message: match[3] };
    }
  }
  const anchorError = ANCHOR_ERRORS.get(code);
  if (anchorError) return { ...anchorError, code, logs };
  const tokenError = code < FIRST_ANCHOR_ERROR ? TOKEN_ERROR_NAMES.get(code) : undefined;
  if (tokenError) {
    return {
      name: tokenError,
      code,
      logs,
      message: `token program: ${getTokenErrorMessage(code as TokenError)}`,
    };
  }
  return { name: `Custom${code}`, code, logs, message: `custom program error ${code}` };
}

/** An error a transaction of this client failed with, named. */
export class EscrowError extends Error {
  readonly description: ErrorDescription;
  readonly errorName: string;
  readonly code?: number;
  readonly logs: readonly string[];
  readonly signature?: string;

  constructor(description: ErrorDescription, signature?: string) {
    super(`${description.name}: ${description.message}`);
    this.name = "EscrowError";
    this.description = description;
    this.errorName = description.name;
    this.code = description.code;
    this.logs = description.logs;
    this.signature = signature;
  }
}

/** A `TransactionError` as the JSON-RPC API reports it (`meta.err`, a status `err`). */
export type RpcTransactionError = Parameters<typeof getSolanaErrorFromTransactionError>[0];

/** Describes a transaction error reported by the chain for a landed transaction. */
export function describeTransactionError(
  err: RpcTransactionError,
  logs: readonly string[] = [],
  programAt?: ProgramAt,
): ErrorDescription {
  return describeError(getSolanaErrorFromTransactionError(err), logs, programAt);
}

/** Describes anything a transaction attempt threw. */
export function describeError(
  error: unknown,
  logs: readonly string[] = [],
  programAt?: ProgramAt,
): ErrorDescription {
  if (error instanceof EscrowError) return error.description;
  if (isSolanaError(error, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND)) {
    return {
      name: "BlockhashNotFound",
      message:
        "the RPC node does not know the transaction's blockhash (it expired, or the node is behind): send it again",
      logs,
    };
  }
  if (isSolanaError(error, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED)) {
    return {
      name: "AlreadyProcessed",
      message: "this exact transaction was already processed: it is not sent twice",
      logs,
    };
  }
  if (
    isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)
  ) {
    const preflightLogs = error.context.logs ?? logs;
    if (error.cause) return describeError(error.cause, preflightLogs, programAt);
    return { name: "PreflightFailure", message: error.message, logs: preflightLogs };
  }
  if (isSolanaError(error, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) {
    return describeCustomError(error.context.code, logs, programAt?.(error.context.index));
  }
  if (error instanceof Error) {
    return { name: error.name === "Error" ? "Error" : error.name, message: error.message, logs };
  }
  return { name: "Error", message: String(error), logs };
}
