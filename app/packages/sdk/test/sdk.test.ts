/**
 * Every SDK call against the local chain (the real program behind JSON-RPC): offers, trades,
 * attestations, disputes, escalations, administration, wrapped SOL, listings and events, and
 * refusals that name the program's error and leave every account unchanged.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { type Address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";

import {
  chainOfGenesisHash,
  fetchWalletChain,
  advanceLocalClock,
  allowedActions,
  arbiterAddress,
  createMint,
  feeVaultAddress,
  getArbiter,
  getConfig,
  getMintInfo,
  getOffer,
  getTokenBalance,
  getTrade,
  hashText,
  listArbiters,
  listOffers,
  listTrades,
  mintTo,
  NATIVE_MINT_ADDRESS,
  OfferStatus,
  fetchTransactionEvents,
  previewSplit,
  signAttestation,
  tokenAccountAddress,
  TradeState,
  verifyAttestation,
  type OfferTermsInput,
} from "@p2p-escrow/sdk";
import {
  airdrop,
  ARBITER_FEE_BPS,
  assertRefused,
  coinAccount,
  FEE_BPS,
  newKeyPair,
  offerTerms,
  setFrozen,
  snapshot,
  startDesk,
  TOKEN,
  type Desk,
} from "@p2p-escrow/testing";

let desk: Desk;
before(async () => {
  desk = await startDesk();
});
after(async () => {
  await desk.chain.stop();
});

async function terms(overrides: Partial<OfferTermsInput> = {}): Promise<OfferTermsInput> {
  return offerTerms(desk, {
    minTradeAmount: 10n * TOKEN,
    maxTradeAmount: 500n * TOKEN,
    paymentTermsHash: await hashText("SEPA to the seller's IBAN"),
    attestor: desk.keys.attestor.address,
    ...overrides,
  });
}

async function newOffer(amount = 1_000n * TOKEN): Promise<Address> {
  const created = await desk.client.createOffer(desk.keys.seller, {
    mint: desk.usd.address,
    amount,
    terms: await terms(),
  });
  return created.address!;
}

async function paidTrade(offer: Address, buyer = desk.keys.buyer, amount = 100n * TOKEN) {
  const taken = await desk.client.takeOffer(buyer, offer, amount);
  await desk.client.markPaid(buyer, taken.address!, await hashText("SEPA-1"));
  return taken.address!;
}

test("reads the config and the arbiters", async () => {
  const config = await getConfig(desk.rpc);
  assert.equal(config.admin, desk.keys.admin.address);
  assert.equal(config.feeBps, FEE_BPS);
  const arbiter = await getArbiter(desk.rpc, desk.keys.arbiter.address);
  assert.equal(arbiter.feeBps, ARBITER_FEE_BPS);
  const arbiters = await listArbiters(desk.rpc);
  assert.deepEqual(
    arbiters.map((a) => a.data.authority).sort(),
    [desk.keys.arbiter.address, desk.keys.fallbackArbiter.address].sort(),
  );
  await assertRefused(getArbiter(desk.rpc, desk.keys.stranger.address), "ArbiterNotFound");
});

test("an offer: create, list by every filter, deposit, pause, withdraw, close", async () => {
  const { client, keys, rpc, usd } = desk;
  const created = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 1_000n * TOKEN,
    terms: await terms(),
  });
  const offer = created.address!;
  assert.deepEqual(
    created.events.map((e) => e.name),
    ["offerCreated"],
  );
  const state = await getOffer(rpc, offer);
  // 1% transfer fee, capped at 5 tokens, withheld on the way into the vault.
  assert.equal(state.available, 995n * TOKEN);
  for (const filter of [
    { seller: keys.seller.address },
    { mint: usd.address },
    { arbiter: keys.arbiter.address },
    { status: OfferStatus.Open },
  ]) {
    const found = await listOffers(rpc, filter);
    assert.ok(
      found.some((o) => o.address === offer),
      `listed by ${Object.keys(filter)[0]}`,
    );
  }
  assert.equal((await listOffers(rpc, { seller: keys.buyer.address })).length, 0);
  await client.deposit(keys.seller, offer, 100n * TOKEN);
  assert.equal((await getOffer(rpc, offer)).available, 1_094n * TOKEN);
  await client.setOfferPaused(keys.seller, offer, true);
  assert.ok(
    (await listOffers(rpc, { status: OfferStatus.Paused })).some((o) => o.address === offer),
  );
  await assertRefused(client.takeOffer(keys.buyer, offer, 10n * TOKEN), "OfferNotOpen");
  await client.setOfferPaused(keys.seller, offer, false);
  const before = await getTokenBalance(rpc, keys.seller.address, usd);
  await client.withdraw(keys.seller, offer, 94n * TOKEN);
  assert.equal(
    await getTokenBalance(rpc, keys.seller.address, usd),
    before + 94n * TOKEN - (94n * TOKEN) / 100n,
  );
  const closed = await client.closeOffer(keys.seller, offer);
  assert.deepEqual(
    closed.events.map((e) => e.name),
    ["offerClosed"],
  );
  await assertRefused(getOffer(rpc, offer), "OfferNotFound");
});

test("a stranger cannot withdraw from an offer, and nothing changes", async () => {
  const offer = await newOffer();
  const state = await getOffer(desk.rpc, offer);
  const watched = [offer, state.vault, desk.keys.stranger.address];
  const before = await snapshot(desk.rpc, watched);
  const error = await assertRefused(
    desk.client.withdraw(desk.keys.stranger, offer, TOKEN),
    "NotSeller",
  );
  assert.equal(error.message, "NotSeller: Only the offer's seller can do this");
  assert.equal(error.code, 6014);
  assert.deepEqual(await snapshot(desk.rpc, watched), before);
});

test("a trade: take, list, mark paid, release; a stranger's release is refused", async () => {
  const { client, keys, rpc, usd } = desk;
  const offer = await newOffer();
  const taken = await client.takeOffer(keys.buyer, offer, 100n * TOKEN);
  const trade = taken.address!;
  const event = taken.events[0];
  assert.equal(event.name, "tradeTaken");
  assert.equal(event.name === "tradeTaken" && event.data.fiatAmount, 10_000n);
  for (const filter of [
    { offer },
    { seller: keys.seller.address },
    { buyer: keys.buyer.address },
    { mint: usd.address },
    { arbiter: keys.arbiter.address },
    { state: TradeState.Locked },
  ]) {
    assert.ok(
      (await listTrades(rpc, filter)).some((t) => t.address === trade),
      `by ${Object.keys(filter)[0]}`,
    );
  }
  assert.equal((await listTrades(rpc, { offer, state: TradeState.Paid })).length, 0);
  await client.markPaid(keys.buyer, trade, await hashText("SEPA-1"));
  assert.equal((await getTrade(rpc, trade)).state, TradeState.Paid);
  const watched = [trade, offer, keys.buyer.address, keys.stranger.address];
  const before = await snapshot(rpc, watched);
  await assertRefused(client.release(keys.stranger, trade), "NotSeller");
  assert.deepEqual(await snapshot(rpc, watched), before);
  const buyerBefore = await getTokenBalance(rpc, keys.buyer.address, usd);
  const released = await client.release(keys.seller, trade);
  assert.deepEqual(
    released.events.map((e) => e.name),
    ["tradeReleased"],
  );
  // 100 less the 0.5% protocol fee, less the 1% transfer fee.
  assert.equal(await getTokenBalance(rpc, keys.buyer.address, usd), buyerBefore + 98_505_000n);
  await assertRefused(getTrade(rpc, trade), "TradeNotFound");
  const landed = await fetchTransactionEvents(rpc, released.signature);
  assert.deepEqual(landed?.events, released.events);
});

test("a take carries the hash of the terms the buyer saw; a change is refused and named", async () => {
  const { client, keys, rpc } = desk;
  const offer = await newOffer();
  const state = await getOffer(rpc, offer);
  const seen = await client.takeTerms(state, keys.buyer2.address);
  assert.equal(seen.feeBps, FEE_BPS);
  const before = await snapshot(rpc, [offer, state.vault]);
  const refused = await assertRefused(
    client.takeOffer(keys.buyer2, offer, 10n * TOKEN, {
      seen: { ...seen, arbiterFeeBps: seen.arbiterFeeBps + 1, rulingWindow: 1n },
    }),
    "TermsMismatch",
  );
  assert.match(refused.message, /changed: arbiterFeeBps, rulingWindow\)/);
  assert.deepEqual(await snapshot(rpc, [offer, state.vault]), before);
  const taken = await client.takeOffer(keys.buyer2, offer, 10n * TOKEN, { seen });
  assert.equal((await getTrade(rpc, taken.address!)).arbiterFeeBps, seen.arbiterFeeBps);
});

test("a buyer cancels an unpaid trade; a stranger cannot mark it paid", async () => {
  const offer = await newOffer();
  const trade = (await desk.client.takeOffer(desk.keys.buyer2, offer, 20n * TOKEN)).address!;
  const error = await assertRefused(
    desk.client.markPaid(desk.keys.stranger, trade, await hashText("x")),
    "NotBuyer",
  );
  assert.equal(error.message, "NotBuyer: Only the trade's buyer can do this");
  const locked = await getTrade(desk.rpc, trade);
  const now = locked.createdAt;
  assert.deepEqual(allowedActions(locked, desk.keys.buyer2.address, now), ["markPaid", "cancel"]);
  assert.deepEqual(allowedActions(locked, desk.keys.seller.address, now), [
    "release",
    "sendDetails",
  ]);
  assert.deepEqual(allowedActions(locked, desk.keys.stranger.address, now), []);
  assert.deepEqual(
    allowedActions(locked, desk.keys.stranger.address, locked.paymentDeadline + 1n),
    ["expire"],
  );
  const cancelled = await desk.client.cancelTrade(desk.keys.buyer2, trade);
  assert.deepEqual(
    cancelled.events.map((e) => e.name),
    ["tradeCancelled"],
  );
  assert.equal((await getOffer(desk.rpc, offer)).locked, 0n);
});

test("anyone expires a trade after its payment deadline, not before", async () => {
  const offer = await newOffer();
  const trade = (await desk.client.takeOffer(desk.keys.buyer, offer, 20n * TOKEN)).address!;
  await assertRefused(
    desk.client.expireTrade(desk.keys.stranger, trade),
    "PaymentDeadlineNotReached",
  );
  await advanceLocalClock(desk.chain.url, 1801);
  const expired = await desk.client.expireTrade(desk.keys.stranger, trade);
  assert.deepEqual(
    expired.events.map((e) => e.name),
    ["tradeExpired"],
  );
});

test("a payment service's attestation releases; a forged one is refused", async () => {
  const { client, keys, rpc } = desk;
  const offer = await newOffer();
  const trade = await paidTrade(offer);
  const state = await getTrade(rpc, trade);
  const attested = {
    trade,
    buyer: state.buyer,
    mint: state.mint,
    amount: state.amount,
    paymentRefHash: state.paymentRefHash,
  };
  const forged = await signAttestation(keys.stranger.keyPair.privateKey, attested);
  await assertRefused(
    client.releaseWithAttestation(keys.stranger, trade, {
      attestor: keys.stranger.address,
      signature: forged,
    }),
    "AttestorMismatch",
  );
  const signature = await signAttestation(keys.attestor.keyPair.privateKey, attested);
  assert.ok(await verifyAttestation(keys.attestor.keyPair.publicKey, signature, attested));
  assert.ok(
    !(await verifyAttestation(keys.attestor.keyPair.publicKey, signature, {
      ...attested,
      amount: 1n,
    })),
  );
  const released = await client.releaseWithAttestation(keys.stranger, trade, {
    attestor: keys.attestor.address,
    signature,
  });
  const event = released.events[0];
  assert.equal(event.name, "tradeReleased");
  assert.equal(event.name === "tradeReleased" && event.data.releasedBy, keys.stranger.address);
});

test("a dispute: evidence from both sides, the arbiter's console listing, a 70/30 ruling", async () => {
  const { client, keys, rpc, usd } = desk;
  const offer = await newOffer(200n * TOKEN);
  const trade = await paidTrade(offer);
  await client.openDispute(keys.seller, trade);
  await client.submitEvidence(
    keys.buyer,
    trade,
    await hashText("receipt"),
    "https://evidence.example/b",
  );
  await client.submitEvidence(
    keys.seller,
    trade,
    await hashText("statement"),
    "https://evidence.example/s",
  );
  const cases = await listTrades(rpc, {
    arbiter: keys.arbiter.address,
    state: TradeState.Disputed,
  });
  assert.ok(cases.some((t) => t.address === trade));
  await assertRefused(client.rule(keys.fallbackArbiter, trade, 7_000), "NotTradeArbiter");
  const disputed = await getTrade(rpc, trade);
  const now = disputed.paidAt;
  assert.deepEqual(allowedActions(disputed, keys.arbiter.address, now), ["rule"]);
  assert.deepEqual(allowedActions(disputed, keys.fallbackArbiter.address, now), []);
  assert.deepEqual(allowedActions(disputed, keys.buyer.address, now), ["propose"]);
  const arbiterBefore = await getTokenBalance(rpc, keys.arbiter.address, usd);
  const ruled = await client.rule(keys.arbiter, trade, 7_000);
  const resolved = ruled.events.find((e) => e.name === "disputeResolved");
  assert.ok(resolved?.name === "disputeResolved");
  assert.equal(resolved.data.arbiterFee, 2n * TOKEN);
  assert.equal(resolved.data.toBuyer, 68_600_000n);
  assert.equal(resolved.data.toSeller, 29_400_000n);
  assert.deepEqual(previewSplit(disputed, 7_000), {
    arbiterFee: resolved.data.arbiterFee,
    toBuyer: resolved.data.toBuyer,
    toSeller: resolved.data.toSeller,
    bondTo: resolved.data.bondToSeller === 0n ? "buyer" : "seller",
  });
  assert.equal(await getTokenBalance(rpc, keys.arbiter.address, usd), arbiterBefore + 1_980_000n);
});

test("both parties settle a dispute themselves", async () => {
  const offer = await newOffer();
  const trade = await paidTrade(offer);
  await desk.client.openDispute(desk.keys.seller, trade);
  const disputed = await getTrade(desk.rpc, trade);
  const settled = await desk.client.settle(desk.keys.buyer, desk.keys.seller, trade, 5_000);
  const resolved = settled.events.find((e) => e.name === "disputeResolved");
  assert.ok(resolved?.name === "disputeResolved");
  assert.equal(resolved.data.arbiterFee, 0n);
  const preview = previewSplit(disputed, 5_000, false);
  assert.deepEqual(
    [preview.toBuyer, preview.toSeller],
    [resolved.data.toBuyer, resolved.data.toSeller],
  );
});

test("missed rulings escalate to the fallback arbiter, then to the default ruling", async () => {
  const offer = await newOffer();
  const trade = await paidTrade(offer);
  await desk.client.openDispute(desk.keys.seller, trade);
  await assertRefused(desk.client.escalate(desk.keys.stranger, trade), "RulingDeadlineNotReached");
  await advanceLocalClock(desk.chain.url, 2 * 24 * 3600 + 1);
  const first = await desk.client.escalate(desk.keys.stranger, trade);
  assert.deepEqual(
    first.events.map((e) => e.name),
    ["disputeEscalated"],
  );
  const state = await getTrade(desk.rpc, trade);
  assert.equal(
    state.dispute.__option === "Some" && state.dispute.value.arbiter,
    desk.keys.fallbackArbiter.address,
  );
  await advanceLocalClock(desk.chain.url, 2 * 24 * 3600 + 1);
  const second = await desk.client.escalate(desk.keys.stranger, trade);
  const resolved = second.events.find((e) => e.name === "disputeResolved");
  assert.ok(resolved?.name === "disputeResolved");
  assert.equal(resolved.data.buyerBps, 5_000);
});

test("a payout the buyer's frozen account cannot take waits for its claim; fees go to the fee vault", async () => {
  const { client, keys, rpc, usd } = desk;
  const offer = await newOffer(200n * TOKEN);
  const trade = await paidTrade(offer);
  const buyerTokens = await tokenAccountAddress(keys.buyer.address, usd.address, usd.tokenProgram);
  const before = await getTokenBalance(rpc, keys.buyer.address, usd);
  await setFrozen(desk, keys.buyer.address, true);
  const released = await client.release(keys.seller, trade);
  const held = released.events.find((e) => e.name === "payoutHeld");
  assert.ok(held?.name === "payoutHeld");
  const settled = await getTrade(rpc, trade);
  assert.equal(settled.state, TradeState.Settled);
  assert.equal(settled.held, held.data.tokens);
  assert.deepEqual(allowedActions(settled, keys.buyer.address, 0n), ["claim"]);
  assert.deepEqual(allowedActions(settled, keys.seller.address, 0n), []);
  // The seller's exit does not wait: nothing is locked in the offer any more.
  assert.equal((await getOffer(rpc, offer)).locked, 0n);
  await assertRefused(client.release(keys.seller, trade), "TradeSettled");
  // The seller closes its offer; the claim does not need it.
  await client.closeOffer(keys.seller, offer);
  await assertRefused(client.claim(keys.stranger, trade), "NotBuyer");
  // While the buyer's own account is frozen, the SDK asks for another destination.
  await assertRefused(client.claim(keys.buyer, trade), "DestinationNeeded");
  // Once the freeze authority thaws the account, the buyer claims into it.
  await setFrozen(desk, keys.buyer.address, false);
  const claimed = await client.claim(keys.buyer, trade);
  const event = claimed.events.find((e) => e.name === "payoutClaimed");
  assert.ok(event?.name === "payoutClaimed");
  assert.equal(
    event.data.destination.__option === "Some" && event.data.destination.value,
    buyerTokens,
  );
  const after = await getTokenBalance(rpc, keys.buyer.address, usd);
  assert.ok(after > before, "the held tokens arrived");
  await assertRefused(getTrade(rpc, trade), "TradeNotFound");

  // The protocol fee collected in the mint's fee vault; only the admin takes it out.
  const vault = await feeVaultAddress(usd.address, usd.tokenProgram);
  const { value } = await rpc.getTokenAccountBalance(vault).send();
  const fees = BigInt(value.amount);
  assert.ok(fees > 0n);
  const destination = await coinAccount(desk, keys.admin.address);
  await assertRefused(
    client.withdrawFees(keys.stranger, usd.address, destination, fees),
    "NotAdmin",
  );
  await assertRefused(
    client.withdrawFees(keys.admin, usd.address, destination, fees + 1n),
    "InsufficientFees",
  );
  await client.withdrawFees(keys.admin, usd.address, destination, fees);
  assert.equal((await rpc.getTokenAccountBalance(vault).send()).value.amount, "0");
});

test("eight buyers taking one offer at the same time all get their trades", async () => {
  const offer = await newOffer(500n * TOKEN);
  // Fresh wallets: each first take opens the buyer's profile on the way.
  const buyers = await Promise.all(Array.from({ length: 8 }, () => newKeyPair()));
  for (const buyer of buyers) await airdrop(desk.rpc, buyer.signer.address, 10);
  const rounds = 4;
  const results = await Promise.allSettled(
    buyers.map(async (buyer) => {
      const trades: Address[] = [];
      for (let i = 0; i < rounds; i++) {
        const taken = await desk.client.takeOffer(buyer.signer, offer, 10n * TOKEN);
        trades.push(taken.address!);
      }
      return trades;
    }),
  );
  const failed = results.filter((r) => r.status === "rejected");
  assert.deepEqual(failed, [], "no take failed");
  const trades = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  assert.equal(new Set(trades).size, 8 * rounds, "every trade has its own address");
  assert.equal((await getOffer(desk.rpc, offer)).locked, BigInt(8 * rounds) * 10n * TOKEN);
});

test("administration: settings, pause, arbiter updates, a two-step admin change", async () => {
  const { client, keys, rpc } = desk;
  const config = await getConfig(rpc);
  const params = {
    feeBps: 60,
    fallbackArbiter: config.fallbackArbiter,
    rulingWindow: config.rulingWindow,
    defaultBuyerBps: config.defaultBuyerBps,
  };
  await assertRefused(client.updateConfig(keys.stranger, params), "NotAdmin");
  await client.updateConfig(keys.admin, params);
  assert.equal((await getConfig(rpc)).feeBps, 60);
  await client.updateConfig(keys.admin, { ...params, feeBps: FEE_BPS });
  const offer = await newOffer();
  await client.setPause(keys.admin, false, true);
  await assertRefused(client.takeOffer(keys.buyer, offer, 10n * TOKEN), "NewTradesPaused");
  await client.setPause(keys.admin, false, false);
  await client.updateArbiter(keys.admin, keys.fallbackArbiter.address, 300, true);
  assert.equal((await getArbiter(rpc, keys.fallbackArbiter.address)).feeBps, 300);
  await client.updateArbiter(keys.admin, keys.fallbackArbiter.address, ARBITER_FEE_BPS, true);
  await client.proposeAdmin(keys.admin, keys.stranger.address);
  await assertRefused(client.acceptAdmin(keys.buyer), "NotPendingAdmin");
  await client.acceptAdmin(keys.stranger);
  assert.equal((await getConfig(rpc)).admin, keys.stranger.address);
  await client.proposeAdmin(keys.stranger, keys.admin.address);
  await client.acceptAdmin(keys.admin);
  assert.equal(
    await arbiterAddress(keys.arbiter.address),
    (await listArbiters(rpc)).find((a) => a.data.authority === keys.arbiter.address)?.address,
  );
});

test("SOL offers are wrapped on the way in and unwrapped on the way out", async () => {
  const { client, keys, rpc } = desk;
  const wsol = await getMintInfo(rpc, NATIVE_MINT_ADDRESS);
  const created = await client.createOffer(keys.seller, {
    mint: NATIVE_MINT_ADDRESS,
    amount: 2_000_000_000n,
    terms: await terms({
      minTradeAmount: 100_000_000n,
      maxTradeAmount: 1_000_000_000n,
      price: 15_000n,
    }),
  });
  const offer = created.address!;
  assert.equal((await getOffer(rpc, offer)).available, 2_000_000_000n);
  const { value: before } = await rpc.getBalance(keys.seller.address).send();
  await client.withdraw(keys.seller, offer, 500_000_000n);
  const { value: afterWithdraw } = await rpc.getBalance(keys.seller.address).send();
  assert.ok(afterWithdraw > before + 490_000_000n, "the withdrawn SOL is back as SOL");
  const wrapped = await tokenAccountAddress(
    keys.seller.address,
    NATIVE_MINT_ADDRESS,
    wsol.tokenProgram,
  );
  assert.deepEqual(await snapshot(rpc, [wrapped]), ["missing"]);
  await client.closeOffer(keys.seller, offer);
});

test("an SPL Token mint works as well as Token-2022", async () => {
  const { client, keys, rpc } = desk;
  const mint = await createMint(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority.address,
    decimals: 2,
  });
  assert.equal(mint.tokenProgram, TOKEN_PROGRAM_ADDRESS);
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint,
    owner: keys.seller.address,
    amount: 100_000n,
  });
  const offer = (
    await client.createOffer(keys.seller, {
      mint: mint.address,
      amount: 50_000n,
      terms: await terms({ minTradeAmount: 100n, maxTradeAmount: 10_000n }),
    })
  ).address!;
  assert.equal((await getOffer(rpc, offer)).available, 50_000n);
  const trade = await paidTrade(offer, keys.buyer2, 10_000n);
  await client.release(keys.seller, trade);
  // No transfer fee on SPL Token: the buyer gets exactly the amount less the 0.5% protocol fee.
  assert.equal(await getTokenBalance(rpc, keys.buyer2.address, mint), 9_950n);
});

test("a cluster's chain comes from its genesis hash", async () => {
  assert.equal(await fetchWalletChain(desk.rpc), "solana:localnet");
  assert.equal(chainOfGenesisHash("EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG"), "solana:devnet");
  assert.equal(
    chainOfGenesisHash("5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"),
    "solana:mainnet",
  );
  assert.equal(
    chainOfGenesisHash("4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY"),
    "solana:testnet",
  );
});
