/**
 * Shared test fixtures: a local chain per test file (the real program in program-test's bank,
 * behind JSON-RPC), funded key pairs, a configured desk, a Token-2022 stable coin with a transfer
 * fee, and assertions that a refusal changed nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

import {
  createKeyPairSignerFromBytes,
  lamports,
  type Address,
  type KeyPairSigner,
} from "@solana/kit";
import { getFreezeAccountInstruction, getThawAccountInstruction } from "@solana-program/token";

import { generateKeyPairBytes, startLocalChain, type LocalChain } from "@p2p-escrow/sdk/node";
import {
  createEscrowRpc,
  createMint,
  createTokenAccountInstruction,
  EscrowClient,
  EscrowError,
  hashText,
  mintTo,
  sendInstructions,
  tokenAccountAddress,
  type EscrowRpc,
  type MintInfo,
  type OfferTermsInput,
} from "@p2p-escrow/sdk";

/** The repository's root folder. */
export const repoDir = fileURLToPath(new URL("../../../..", import.meta.url));

/** The local chain binary `cargo build -p p2p-escrow-local-chain` produces. */
export const LOCAL_CHAIN_BIN =
  process.env.P2P_LOCAL_CHAIN_BIN ?? join(repoDir, "target", "debug", "local-chain");

/** Starts a local chain, on any free port, whose program names `upgradeAuthority`. */
export function startChain(upgradeAuthority: Address): Promise<LocalChain> {
  return startLocalChain({ binary: LOCAL_CHAIN_BIN, upgradeAuthority });
}

/** A new key pair with its 64 keypair-file bytes. */
export async function newKeyPair(): Promise<{ signer: KeyPairSigner; bytes: Uint8Array }> {
  const bytes = await generateKeyPairBytes();
  return { signer: await createKeyPairSignerFromBytes(bytes), bytes };
}

/** Writes `bytes` to a keypair file in `dir`. */
export function writeKeypair(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(Array.from(bytes)));
  return path;
}

/** A new key pair's signer, funded with `sol` SOL. */
export async function fundedWallet(rpc: EscrowRpc, sol = 100): Promise<KeyPairSigner> {
  const { signer } = await newKeyPair();
  await airdrop(rpc, signer.address, sol);
  return signer;
}

export async function airdrop(rpc: EscrowRpc, to: Address, sol: number): Promise<void> {
  const signature = await rpc.requestAirdrop(to, lamports(BigInt(sol * 1e9))).send();
  const { value } = await rpc.getSignatureStatuses([signature]).send();
  assert.ok(value[0] && !value[0].err, "the airdrop landed");
}

/** Everyone at the desk: protocol admin, two arbiters, traders, a payment service. */
export const ROLES = [
  "admin",
  "arbiter",
  "fallbackArbiter",
  "seller",
  "buyer",
  "buyer2",
  "stranger",
  "attestor",
  "mintAuthority",
] as const;
export type Role = (typeof ROLES)[number];

export const FEE_BPS = 50;
export const ARBITER_FEE_BPS = 200;
export const RULING_WINDOW = 2n * 24n * 3600n;
export const TOKEN = 1_000_000n;

export type Desk = {
  chain: LocalChain;
  rpc: EscrowRpc;
  client: EscrowClient;
  keys: Record<Role, KeyPairSigner>;
  keyBytes: Record<Role, Uint8Array>;
  /** A folder with a keypair file per role, named after it. */
  keyDir: string;
  /** A Token-2022 stable coin (6 decimals) with a 1% transfer fee capped at 5 tokens; the mint
   * authority is also its freeze authority. */
  usd: MintInfo;
};

/**
 * A local chain with the config initialized (admin, fallback arbiter, 0.5% fee, 2-day
 * ruling window, 50/50 default ruling), both arbiters registered at 2%, everyone funded with SOL
 * and the seller with 10,000 stable-coin tokens.
 */
export async function startDesk(): Promise<Desk> {
  const pairs = await Promise.all(ROLES.map(() => newKeyPair()));
  const keys = Object.fromEntries(ROLES.map((role, i) => [role, pairs[i].signer])) as Record<
    Role,
    KeyPairSigner
  >;
  const keyBytes = Object.fromEntries(ROLES.map((role, i) => [role, pairs[i].bytes])) as Record<
    Role,
    Uint8Array
  >;
  const keyDir = mkdtempSync(join(tmpdir(), "p2p-escrow-keys-"));
  for (const role of ROLES) writeKeypair(keyDir, role, keyBytes[role]);
  const chain = await startChain(keys.admin.address);
  const rpc = createEscrowRpc(chain.url);
  for (const role of ROLES) await airdrop(rpc, keys[role].address, 100);
  const client = new EscrowClient(rpc);
  for (const role of ROLES) await client.openProfile(keys[role]);
  await client.initializeConfig(keys.admin, {
    feeBps: FEE_BPS,
    fallbackArbiter: keys.fallbackArbiter.address,
    rulingWindow: RULING_WINDOW,
    defaultBuyerBps: 5_000,
  });
  await client.registerArbiter(keys.admin, keys.arbiter.address, ARBITER_FEE_BPS);
  await client.registerArbiter(keys.admin, keys.fallbackArbiter.address, ARBITER_FEE_BPS);
  const usd = await createMint(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority.address,
    decimals: 6,
    transferFee: { bps: 100, maximum: 5n * TOKEN },
    freezeAuthority: keys.mintAuthority.address,
  });
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint: usd,
    owner: keys.seller.address,
    amount: 10_000n * TOKEN,
  });
  return { chain, rpc, client, keys, keyBytes, keyDir, usd };
}

/**
 * An offer's terms at the desk: 1 to 100 tokens at 1.00 USD a token, paid by SEPA within 30
 * minutes of the take (no response window), released within an hour, the desk's arbiter, a
 * 0.01 SOL bond; `overrides` changes any.
 */
export async function offerTerms(
  desk: Desk,
  overrides: Partial<OfferTermsInput> = {},
): Promise<OfferTermsInput> {
  return {
    minTradeAmount: TOKEN,
    maxTradeAmount: 100n * TOKEN,
    price: 100n,
    fiatCurrency: "USD",
    paymentTermsHash: await hashText("SEPA"),
    paymentWindow: 1800n,
    responseWindow: 0n,
    releaseWindow: 3600n,
    arbiter: desk.keys.arbiter.address,
    buyerBond: 10_000_000n,
    ...overrides,
  };
}

/** Asserts that `action` is refused with the program error `name`. */
export async function assertRefused(action: Promise<unknown>, name: string): Promise<EscrowError> {
  try {
    await action;
  } catch (error) {
    assert.ok(error instanceof EscrowError, `expected a refusal, got ${String(error)}`);
    assert.equal(error.errorName, name, `refused with ${error.errorName}: ${error.message}`);
    return error;
  }
  assert.fail(`expected a refusal with ${name}, but the transaction landed`);
}

/** Raw account data of every address, to compare before and after a refusal. */
export async function snapshot(rpc: EscrowRpc, addresses: Address[]): Promise<string[]> {
  const { value } = await rpc.getMultipleAccounts(addresses, { encoding: "base64" }).send();
  return value.map((account) =>
    account ? `${account.lamports}:${account.owner}:${account.data[0]}` : "missing",
  );
}

/** `owner`'s token account of the desk's coin, created first (paid by the mint authority) if missing. */
export async function coinAccount(desk: Desk, owner: Address): Promise<Address> {
  const { keys, usd } = desk;
  await sendInstructions(desk.rpc, keys.mintAuthority, [
    await createTokenAccountInstruction(keys.mintAuthority, owner, usd),
  ]);
  return tokenAccountAddress(owner, usd.address, usd.tokenProgram);
}

/**
 * The mint's freeze authority freezes (or thaws) `owner`'s token account of the desk's coin,
 * creating the account first if it is missing.
 */
export async function setFrozen(desk: Desk, owner: Address, frozen: boolean): Promise<void> {
  const account = await tokenAccountAddress(owner, desk.usd.address, desk.usd.tokenProgram);
  const accounts = { account, mint: desk.usd.address, owner: desk.keys.mintAuthority };
  const config = { programAddress: desk.usd.tokenProgram };
  const instruction = frozen
    ? getFreezeAccountInstruction(accounts, config)
    : getThawAccountInstruction(accounts, config);
  const create = await createTokenAccountInstruction(desk.keys.mintAuthority, owner, desk.usd);
  await sendInstructions(desk.rpc, desk.keys.mintAuthority, [create, instruction]);
}
