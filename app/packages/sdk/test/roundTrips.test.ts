/**
 * Round trips: one complete trade through one client (take, mark paid, release) makes at most 9
 * JSON-RPC requests against the local chain, and what lets it (a shared blockhash, confirmation
 * and events from one `getTransaction`, remembered trades) stays correct: the same message twice
 * gets a fresh blockhash, a reused blockhash the node forgot is replaced, and an action on a trade
 * whose arbiter in charge changed, or that ended, behind the client's back reads it again.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  createDefaultRpcTransport,
  createSolanaRpcFromTransport,
  type RpcTransport,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";

import {
  advanceLocalClock,
  EscrowClient,
  getOffer,
  getTokenBalance,
  getTrade,
  hashText,
  OfferStatus,
  sendInstructions,
  TradeState,
} from "@p2p-escrow/sdk";
import {
  assertRefused,
  countByMethod,
  offerTerms,
  recordingRpc,
  RULING_WINDOW,
  startDesk,
  TOKEN,
  type Desk,
} from "@p2p-escrow/testing";

/** The most requests one complete trade may make. */
const TRADE_REQUESTS = 9;

let desk: Desk;
let offer: Awaited<ReturnType<EscrowClient["createOffer"]>>["address"];
before(async () => {
  desk = await startDesk();
  ({ address: offer } = await desk.client.createOffer(desk.keys.seller, {
    mint: desk.usd.address,
    amount: 1_000n * TOKEN,
    terms: await offerTerms(desk),
  }));
});
after(async () => {
  await desk.chain.stop();
});

test("a complete trade through one client makes at most 9 requests", async () => {
  const { keys, usd } = desk;
  const recording = recordingRpc(desk.chain.url);
  const client = new EscrowClient(recording.rpc);
  const before = await getTokenBalance(desk.rpc, keys.buyer.address, usd);
  const { requests, result: trade } = await recording.during(async () => {
    const { address: trade } = await client.takeOffer(keys.buyer, offer!, 10n * TOKEN);
    await client.markPaid(keys.buyer, trade!, await hashText("SEPA-1"));
    const released = await client.release(keys.seller, trade!);
    assert.ok(released.events.some((event) => event.name === "tradeReleased"));
    return trade!;
  });
  const counts = Object.fromEntries(countByMethod(requests));
  assert.ok(
    requests.length <= TRADE_REQUESTS,
    `${requests.length} requests: ${JSON.stringify(counts)}`,
  );
  assert.deepEqual(counts, {
    getMultipleAccounts: 2,
    getLatestBlockhash: 1,
    sendTransaction: 3,
    getTransaction: 3,
  });
  // Confirmed means done: the trade is over and the buyer holds its tokens (less the fees).
  await assertRefused(getTrade(desk.rpc, trade), "TradeNotFound");
  assert.ok((await getTokenBalance(desk.rpc, keys.buyer.address, usd)) > before);
});

test("the same transaction twice goes out on a fresh blockhash, and both land", async () => {
  const recording = recordingRpc(desk.chain.url);
  const client = new EscrowClient(recording.rpc);
  const { requests } = await recording.during(async () => {
    await client.setOfferPaused(desk.keys.seller, offer!, true);
    await client.setOfferPaused(desk.keys.seller, offer!, false);
    await client.setOfferPaused(desk.keys.seller, offer!, true);
  });
  const counts = Object.fromEntries(countByMethod(requests));
  assert.equal(counts.getLatestBlockhash, 2, "the third pause reads a new blockhash");
  assert.equal(counts.sendTransaction, 3);
  assert.equal((await getOffer(desk.rpc, offer!)).status, OfferStatus.Paused);
  await client.setOfferPaused(desk.keys.seller, offer!, false);
});

test("two identical actions at once on one client both land, on different blockhashes", async () => {
  const client = new EscrowClient(desk.rpc);
  const before = (await getOffer(desk.rpc, offer!)).available;
  const results = await Promise.all([
    client.deposit(desk.keys.seller, offer!, 500n),
    client.deposit(desk.keys.seller, offer!, 500n),
  ]);
  assert.notEqual(results[0].signature, results[1].signature);
  // Each deposit arrives less the coin's 1% transfer fee (5 base units of 500).
  assert.equal((await getOffer(desk.rpc, offer!)).available, before + 2n * 495n);
});

test("a confirmation is asked once more when the blockhash expired before the transaction showed", async () => {
  // A node that answers the block height past the blockhash's last block while the transaction
  // does not show yet (load-balanced nodes out of step).
  const transport = createDefaultRpcTransport({ url: desk.chain.url });
  let heightAsked = false;
  const lagging: RpcTransport = async (request) => {
    const { method, id } = request.payload as { method: string; id: unknown };
    if (method === "getTransaction" && !heightAsked) {
      return { jsonrpc: "2.0", id, result: null } as never;
    }
    if (method === "getBlockHeight") {
      heightAsked = true;
      return { jsonrpc: "2.0", id, result: 1e15 } as never;
    }
    return transport(request);
  };
  const client = new EscrowClient(createSolanaRpcFromTransport(lagging), { pollIntervalMs: 1_000 });
  const before = (await getOffer(desk.rpc, offer!)).available;
  const deposited = await client.deposit(desk.keys.seller, offer!, 1_000n);
  assert.ok(deposited.events.some((event) => event.name === "offerDeposited"));
  assert.equal((await getOffer(desk.rpc, offer!)).available, before + 990n);
});

test("a closed offer the client knew is named gone, and nothing is signed", async () => {
  const client = new EscrowClient(desk.rpc);
  const { address: closing } = await client.createOffer(desk.keys.seller, {
    mint: desk.usd.address,
    amount: TOKEN,
    terms: await offerTerms(desk),
  });
  await client.closeOffer(desk.keys.seller, closing!);
  await assertRefused(client.deposit(desk.keys.seller, closing!, TOKEN), "OfferNotFound");
});

test("a reused blockhash the node forgot is replaced, and the action lands once", async () => {
  const recording = recordingRpc(desk.chain.url);
  const client = new EscrowClient(recording.rpc);
  await client.setOfferPaused(desk.keys.seller, offer!, true);
  // The local chain forgets a blockhash after about a second (program-test records a new one
  // every few milliseconds); a cluster after about a minute.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const { requests } = await recording.during(() =>
    client.setOfferPaused(desk.keys.seller, offer!, false),
  );
  const counts = Object.fromEntries(countByMethod(requests));
  assert.equal(
    counts.sendTransaction,
    2,
    "refused on the reused blockhash, then sent on a new one",
  );
  assert.equal(counts.getLatestBlockhash, 1);
  assert.equal((await getOffer(desk.rpc, offer!)).status, OfferStatus.Open);
});

test("a remembered trade whose arbiter in charge changed is read again, and released", async () => {
  const { keys } = desk;
  const recording = recordingRpc(desk.chain.url);
  const client = new EscrowClient(recording.rpc);
  const { address: trade } = await client.takeOffer(keys.buyer2, offer!, 5n * TOKEN);
  await client.markPaid(keys.buyer2, trade!, await hashText("SEPA-2"));
  // Behind the client's back: the seller disputes, the arbiter misses its deadline, the dispute
  // goes to the fallback arbiter.
  const others = new EscrowClient(desk.rpc);
  await others.openDispute(keys.seller, trade!);
  await advanceLocalClock(desk.chain.url, Number(RULING_WINDOW) + 1);
  await others.escalate(keys.stranger, trade!);
  assert.equal((await getTrade(desk.rpc, trade!)).state, TradeState.Disputed);
  const { result: released, requests } = await recording.during(() =>
    client.release(keys.seller, trade!),
  );
  assert.ok(released.events.some((event) => event.name === "tradeReleased"));
  // Refused once on what the client remembered (ArbiterMismatch), sent again on the trade as read.
  const counts = Object.fromEntries(countByMethod(requests));
  assert.equal(counts.sendTransaction, 2);
  assert.equal(counts.getMultipleAccounts, 1);
  await assertRefused(getTrade(desk.rpc, trade!), "TradeNotFound");
});

test("a trade address that holds lamports after the trade ended is no trade", async () => {
  const { keys } = desk;
  const client = new EscrowClient(desk.rpc);
  const { address: trade } = await client.takeOffer(keys.buyer, offer!, 5n * TOKEN);
  // Behind the client's back: the buyer cancels, and a stranger sends lamports to the address.
  await new EscrowClient(desk.rpc).cancelTrade(keys.buyer, trade!);
  await sendInstructions(desk.rpc, keys.stranger, [
    getTransferSolInstruction({ source: keys.stranger, destination: trade!, amount: 1_000_000n }),
  ]);
  await assertRefused(getTrade(desk.rpc, trade!), "TradeNotFound");
  await assertRefused(client.release(keys.seller, trade!), "TradeNotFound");
});

test("a remembered trade that ended behind the client's back is named gone", async () => {
  const { keys } = desk;
  const recording = recordingRpc(desk.chain.url);
  const client = new EscrowClient(recording.rpc);
  const { address: trade } = await client.takeOffer(keys.buyer, offer!, 5n * TOKEN);
  await new EscrowClient(desk.rpc).cancelTrade(keys.buyer, trade!);
  const available = (await getOffer(desk.rpc, offer!)).available;
  const { requests } = await recording.during(() =>
    assertRefused(client.release(keys.seller, trade!), "TradeNotFound"),
  );
  // Sent on what the client remembered, refused (the account is gone), then read: nothing moved.
  assert.equal(Object.fromEntries(countByMethod(requests)).sendTransaction, 1);
  assert.equal((await getOffer(desk.rpc, offer!)).available, available);
});
