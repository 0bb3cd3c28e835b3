/**
 * Transaction budgets: every program instruction, in the largest transaction the SDK sends it in
 * (Token-2022 with a transfer fee, wrapped SOL with its wrapping and unwrapping, a wallet's first
 * offer or take opening its profile, the Ed25519 instruction of an attestation, the longest
 * evidence URI, two signers for `settle`), leaves at least 300 bytes of the 1,232-byte packet
 * free, without address lookup tables. Sizes are measured on the wire: the bytes of each
 * `sendTransaction` the SDK makes, recorded by the RPC transport.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  createDefaultRpcTransport,
  createSolanaRpcFromTransport,
  getBase64Encoder,
  type KeyPairSigner,
  type RpcTransport,
} from "@solana/kit";

import {
  advanceLocalClock,
  EscrowClient,
  getTrade,
  hashText,
  mintTo,
  NATIVE_MINT_ADDRESS,
  P2pEscrowInstruction,
  signAttestation,
  tokenAccountAddress,
  type EscrowRpc,
  type OfferTermsInput,
} from "@p2p-escrow/sdk";
import type { LocalChain } from "@p2p-escrow/sdk/node";
import {
  airdrop,
  ARBITER_FEE_BPS,
  FEE_BPS,
  newKeyPair,
  RULING_WINDOW,
  setFrozen,
  startChain,
  startDesk,
  TOKEN,
  type Desk,
} from "@p2p-escrow/testing";

/** The most a transaction may hold: an IPv6 packet's 1,280 bytes less its headers. */
const PACKET_SIZE = 1232;
/** What every instruction's largest transaction must leave free, for what comes next. */
const HEADROOM = 300;

/** An RPC client whose transport records the wire size of every transaction sent. */
function recordingRpc(url: string): { rpc: EscrowRpc; sent: number[] } {
  const sent: number[] = [];
  const transport = createDefaultRpcTransport({ url });
  const recording: RpcTransport = (request) => {
    const payload = request.payload as { method: string; params: unknown[] };
    if (payload.method === "sendTransaction") {
      sent.push(getBase64Encoder().encode(payload.params[0] as string).length);
    }
    return transport(request);
  };
  return { rpc: createSolanaRpcFromTransport(recording), sent };
}

let desk: Desk;
let fresh: LocalChain;
before(async () => {
  desk = await startDesk();
});
after(async () => {
  await desk.chain.stop();
  await fresh?.stop();
});

test("every instruction's largest transaction leaves 300 bytes of the packet", async () => {
  const { keys, usd } = desk;
  const { rpc, sent } = recordingRpc(desk.chain.url);
  const client = new EscrowClient(rpc);
  /** The largest transaction each instruction was sent in, in bytes. */
  const sizes = new Map<string, number>();
  const measure = async <T>(instruction: string, action: () => Promise<T>): Promise<T> => {
    const start = sent.length;
    const result = await action();
    assert.equal(sent.length - start, 1, `${instruction} sends one transaction`);
    sizes.set(instruction, Math.max(sizes.get(instruction) ?? 0, sent[start]));
    return result;
  };
  const wallet = async (): Promise<KeyPairSigner> => {
    const { signer } = await newKeyPair();
    await airdrop(rpc, signer.address, 100);
    return signer;
  };
  const seller = await wallet();
  const buyers = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => wallet()));
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint: usd,
    owner: seller.address,
    amount: 1_000n * TOKEN,
  });
  const terms = async (overrides: Partial<OfferTermsInput> = {}): Promise<OfferTermsInput> => ({
    minTradeAmount: TOKEN,
    maxTradeAmount: 100n * TOKEN,
    price: 100n,
    fiatCurrency: "EUR",
    paymentTermsHash: await hashText("SEPA"),
    paymentWindow: 1800n,
    releaseWindow: 3600n,
    arbiter: keys.arbiter.address,
    attestor: keys.attestor.address,
    buyerBond: 10_000_000n,
    ...overrides,
  });

  // Offers: the seller's first, a private wrapped-SOL offer, opens its profile and wraps SOL in
  // the same transaction; wrapped SOL unwraps on the way out.
  const sol = (
    await measure("createOffer", async () =>
      client.createOffer(seller, {
        mint: NATIVE_MINT_ADDRESS,
        amount: 2_000_000_000n,
        terms: await terms({ allowedBuyer: buyers[0].address }),
      }),
    )
  ).address!;
  const offer = (
    await measure("createOffer", async () =>
      client.createOffer(seller, { mint: usd.address, amount: 500n * TOKEN, terms: await terms() }),
    )
  ).address!;
  await measure("deposit", () => client.deposit(seller, offer, 10n * TOKEN));
  await measure("deposit", () => client.deposit(seller, sol, 100_000_000n));
  await measure("withdraw", () => client.withdraw(seller, offer, TOKEN));
  await measure("withdraw", () => client.withdraw(seller, sol, 100_000_000n));
  await measure("setOfferPaused", () => client.setOfferPaused(seller, sol, true));
  await measure("closeOffer", () => client.closeOffer(seller, sol));

  // Trades: each buyer's first take opens its profile.
  const take = (buyer: KeyPairSigner) =>
    measure("takeOffer", () => client.takeOffer(buyer, offer, 10n * TOKEN)).then(
      (taken) => taken.address!,
    );
  const paid = async (buyer: KeyPairSigner) => {
    const trade = await take(buyer);
    await measure("markPaid", async () =>
      client.markPaid(buyer, trade, await hashText("SEPA-2026-0001")),
    );
    return trade;
  };
  const [attested, released, ruled, settled, escalated, cancelled, expired] = buyers;
  const attestedTrade = await paid(attested);
  const state = await getTrade(rpc, attestedTrade);
  const signature = await signAttestation(keys.attestor.keyPair.privateKey, {
    trade: attestedTrade,
    buyer: state.buyer,
    mint: state.mint,
    amount: state.amount,
    paymentRefHash: state.paymentRefHash,
  });
  await measure("releaseWithAttestation", () =>
    client.releaseWithAttestation(keys.stranger, attestedTrade, {
      attestor: keys.attestor.address,
      signature,
    }),
  );
  // A release to a buyer whose account is frozen: the payout waits, then the claim (into another
  // account: the buyer's own stays frozen).
  const releasedTrade = await paid(released);
  await setFrozen(desk, released.address, true);
  await measure("release", () => client.release(seller, releasedTrade));
  const elsewhere = await tokenAccountAddress(keys.stranger.address, usd.address, usd.tokenProgram);
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint: usd,
    owner: keys.stranger.address,
    amount: 0n,
  });
  await measure("claim", () =>
    client.claim(released, releasedTrade, {
      destination: elsewhere,
      recipient: keys.stranger.address,
    }),
  );
  // Disputes.
  const ruledTrade = await paid(ruled);
  await measure("openDispute", () => client.openDispute(seller, ruledTrade));
  await measure("submitEvidence", async () =>
    client.submitEvidence(ruled, ruledTrade, await hashText("receipt"), "u".repeat(200)),
  );
  await measure("rule", () => client.rule(keys.arbiter, ruledTrade, 7_000));
  const settledTrade = await paid(settled);
  await client.openDispute(seller, settledTrade);
  await measure("settle", () => client.settle(settled, seller, settledTrade, 5_000));
  const escalatedTrade = await paid(escalated);
  await client.openDispute(seller, escalatedTrade);
  for (const _ of [1, 2]) {
    await advanceLocalClock(desk.chain.url, Number(RULING_WINDOW) + 1);
    await measure("escalate", () => client.escalate(keys.stranger, escalatedTrade));
  }
  const cancelledTrade = await take(cancelled);
  await measure("cancelTrade", () => client.cancelTrade(cancelled, cancelledTrade));
  const expiredTrade = await take(expired);
  await advanceLocalClock(desk.chain.url, 1801);
  await measure("expireTrade", () => client.expireTrade(keys.stranger, expiredTrade));

  // The protocol's administration.
  const fees = await tokenAccountAddress(keys.admin.address, usd.address, usd.tokenProgram);
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint: usd,
    owner: keys.admin.address,
    amount: 0n,
  });
  await measure("withdrawFees", () => client.withdrawFees(keys.admin, usd.address, fees, 1n));
  const params = {
    feeBps: FEE_BPS,
    fallbackArbiter: keys.fallbackArbiter.address,
    rulingWindow: RULING_WINDOW,
    defaultBuyerBps: 5_000,
  };
  await measure("updateConfig", () => client.updateConfig(keys.admin, params));
  await measure("setPause", () => client.setPause(keys.admin, true, true));
  await client.setPause(keys.admin, false, false);
  const newArbiter = await wallet();
  await measure("registerArbiter", () =>
    client.registerArbiter(keys.admin, newArbiter.address, ARBITER_FEE_BPS),
  );
  await measure("updateArbiter", () =>
    client.updateArbiter(keys.admin, newArbiter.address, ARBITER_FEE_BPS + 1, false),
  );
  await measure("proposeAdmin", () => client.proposeAdmin(keys.admin, keys.stranger.address));
  await measure("acceptAdmin", () => client.acceptAdmin(keys.stranger));
  await measure("openProfile", async () => client.openProfile(await wallet()));
  // The config's creation, on a chain of its own.
  const authority = await newKeyPair();
  fresh = await startChain(authority.signer.address);
  const other = recordingRpc(fresh.url);
  await airdrop(other.rpc, authority.signer.address, 10);
  const size = other.sent.length;
  await new EscrowClient(other.rpc).initializeConfig(authority.signer, params);
  sizes.set("initializeConfig", other.sent[size]);

  const instructions = Object.keys(P2pEscrowInstruction)
    .filter((name) => Number.isNaN(Number(name)))
    .map((name) => name.charAt(0).toLowerCase() + name.slice(1));
  assert.deepEqual([...sizes.keys()].sort(), instructions.sort(), "every instruction measured");
  const rows = [...sizes].sort(([, a], [, b]) => b - a);
  console.log(
    [
      "| instruction | largest transaction (bytes) | headroom (bytes) |",
      "|---|---:|---:|",
      ...rows.map(([name, bytes]) => `| ${name} | ${bytes} | ${PACKET_SIZE - bytes} |`),
    ].join("\n"),
  );
  for (const [name, bytes] of rows) {
    assert.ok(
      PACKET_SIZE - bytes >= HEADROOM,
      `${name}: ${bytes} bytes leave ${PACKET_SIZE - bytes}, less than ${HEADROOM}`,
    );
  }
});
