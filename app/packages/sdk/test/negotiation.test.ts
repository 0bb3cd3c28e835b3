/**
 * The response window and the endings the parties negotiate, through the SDK against the local
 * chain: the seller's payment details start the buyer's payment window, a silent seller's trade
 * expires with the bond back to the buyer, and proposals are made, previewed, withdrawn, countered
 * and accepted (a split of a paid trade, a collaborative cancel of a dispute); every refusal is
 * named and changes nothing.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  advanceLocalClock,
  allowedActions,
  getArbiter,
  getOffer,
  getTrade,
  hashText,
  MAX_PAYER_DECLARATION_LENGTH,
  MessageKind,
  previewProposal,
  proposalOf,
  TradeRoom,
  unanswered,
  type Address,
} from "@p2p-escrow/sdk";
import {
  assertRefused,
  offerTerms,
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

async function newOffer(responseWindow = 0n): Promise<Address> {
  const { client, keys, usd } = desk;
  const created = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 500n * TOKEN,
    terms: await offerTerms(desk, { responseWindow }),
  });
  return created.address!;
}

async function paidTrade(offer: Address): Promise<Address> {
  const trade = (await desk.client.takeOffer(desk.keys.buyer, offer, 100n * TOKEN)).address!;
  await desk.client.markPaid(desk.keys.buyer, trade, await hashText("SEPA-1"));
  return trade;
}

test("the seller's details start the payment window; a silent seller's trade expires with the bond back", async () => {
  const { client, keys, rpc } = desk;
  const offer = await newOffer(120n);
  const answered = (await client.takeOffer(keys.buyer, offer, 10n * TOKEN)).address!;
  const silent = (await client.takeOffer(keys.buyer2, offer, 10n * TOKEN)).address!;
  const taken = await getTrade(rpc, answered);
  assert.equal(taken.responseDeadline, taken.createdAt + 120n);
  assert.equal(taken.paymentDeadline, taken.createdAt + 120n + 1800n);
  assert.ok(allowedActions(taken, keys.seller.address, taken.createdAt).includes("sendDetails"));

  const room = await TradeRoom.open(client, keys.seller, answered);
  const sent = await room.send("IBAN DE89 3704 0044 0532 0130 00", MessageKind.PaymentDetails);
  const started = sent.events.find((e) => e.name === "paymentWindowStarted");
  assert.ok(started?.name === "paymentWindowStarted");
  const state = await getTrade(rpc, answered);
  assert.equal(state.detailsAt, started.data.detailsAt);
  assert.equal(state.paymentDeadline, state.detailsAt + 1800n);
  const lines = await (await TradeRoom.open(client, keys.buyer, answered)).read();
  assert.equal(lines[0].kind, MessageKind.PaymentDetails);
  assert.equal(lines[0].text, "IBAN DE89 3704 0044 0532 0130 00");

  await assertRefused(client.expireTrade(keys.stranger, silent), "ResponseDeadlineNotReached");
  await advanceLocalClock(desk.chain.url, 121);
  const late = await getTrade(rpc, silent);
  const now = late.responseDeadline + 1n;
  assert.ok(unanswered(late, now));
  assert.deepEqual(allowedActions(late, keys.stranger.address, now), ["expire"]);
  assert.ok(!allowedActions(late, keys.seller.address, now).includes("sendDetails"));
  const watched = [silent, offer, keys.buyer2.address];
  const before = await snapshot(rpc, watched);
  const lateRoom = await TradeRoom.open(client, keys.seller, silent);
  await assertRefused(
    lateRoom.send("IBAN DE89", MessageKind.PaymentDetails),
    "ResponseDeadlinePassed",
  );
  assert.deepEqual(await snapshot(rpc, watched), before);
  const expired = await client.expireTrade(keys.stranger, silent);
  const event = expired.events.find((e) => e.name === "tradeExpired");
  assert.ok(event?.name === "tradeExpired");
  assert.equal(event.data.unanswered, true);
  assert.equal(event.data.bondToSeller, 0n);
  // The answered trade is the buyer's to pay: no expiry before its payment deadline.
  await assertRefused(client.expireTrade(keys.stranger, answered), "PaymentDeadlineNotReached");
});

test("the payer declaration and the payment mark land in one transaction, or neither", async () => {
  const { client, keys, rpc } = desk;
  const offer = await newOffer();
  const trade = (await client.takeOffer(keys.buyer, offer, 10n * TOKEN)).address!;
  const room = await TradeRoom.open(client, keys.buyer, trade);
  const before = await snapshot(rpc, [trade]);
  await assertRefused(
    room.markPaid("p".repeat(MAX_PAYER_DECLARATION_LENGTH + 1), await hashText("SEPA-9")),
    "MessageTooLong",
  );
  assert.deepEqual(await snapshot(rpc, [trade]), before);
  const paid = await room.markPaid(
    "Bo Buyer, DE02 1203 0000 0000 2020 51",
    await hashText("SEPA-9"),
  );
  assert.deepEqual(
    paid.events.map((e) => e.name),
    ["messagePosted", "tradePaid"],
  );
  const seller = await TradeRoom.open(client, keys.seller, trade);
  const [line] = await seller.read();
  assert.equal(line.kind, MessageKind.PayerDeclaration);
  assert.equal(line.text, "Bo Buyer, DE02 1203 0000 0000 2020 51");
  // A second mark is refused whole (a payer is declared before the mark): nothing lands.
  await assertRefused(room.markPaid("again", await hashText("SEPA-9")), "MessageNotAllowed");
  assert.equal((await seller.read()).length, 1);
  await client.release(keys.seller, trade);
  await assertRefused(client.proposeEnding(keys.buyer, trade, 0n), "TradeNotFound");
});

test("a proposal is previewed, refused by name, withdrawn, countered and accepted", async () => {
  const { client, keys, rpc } = desk;
  const offer = await newOffer();
  const trade = await paidTrade(offer);
  const state = await getTrade(rpc, trade);
  const preview = previewProposal(state, 40n * TOKEN);
  assert.equal(preview.protocolFee, (40n * TOKEN * BigInt(state.feeBps)) / 10_000n);
  assert.equal(preview.toBuyer, 40n * TOKEN - preview.protocolFee);
  assert.equal(preview.toSeller, 60n * TOKEN);
  assert.throws(() => previewProposal(state, state.amount + 1n), RangeError);

  const watched = [trade, offer, keys.buyer.address, keys.seller.address];
  const unchanged = await snapshot(rpc, watched);
  await assertRefused(client.acceptProposal(keys.buyer, trade, 0n), "NoProposal");
  await assertRefused(
    client.proposeEnding(keys.seller, trade, state.amount + 1n),
    "ProposalExceedsAmount",
  );
  await assertRefused(client.proposeEnding(keys.stranger, trade, 0n), "NotAParty");
  assert.deepEqual(await snapshot(rpc, watched), unchanged);

  await client.proposeEnding(keys.seller, trade, 40n * TOKEN);
  const proposed = await getTrade(rpc, trade);
  assert.equal(proposalOf(proposed)?.buyerAmount, 40n * TOKEN);
  const now = proposed.paidAt;
  assert.deepEqual(allowedActions(proposed, keys.buyer.address, now), [
    "propose",
    "acceptProposal",
  ]);
  assert.deepEqual(allowedActions(proposed, keys.seller.address, now), [
    "release",
    "openDispute",
    "propose",
    "withdrawProposal",
  ]);
  await assertRefused(client.acceptProposal(keys.seller, trade, 40n * TOKEN), "OwnProposal");
  await assertRefused(client.acceptProposal(keys.buyer, trade, 50n * TOKEN), "ProposalChanged");
  await assertRefused(client.withdrawProposal(keys.buyer, trade), "NotProposer");
  await client.withdrawProposal(keys.seller, trade);
  assert.equal(proposalOf(await getTrade(rpc, trade)), null);

  // The seller proposes again, the buyer counters, the seller accepts the counter.
  await client.proposeEnding(keys.seller, trade, 30n * TOKEN);
  await client.proposeEnding(keys.buyer, trade, 45n * TOKEN);
  const available = (await getOffer(rpc, offer)).available;
  const accepted = await client.acceptProposal(keys.seller, trade, 45n * TOKEN);
  const event = accepted.events.find((e) => e.name === "proposalAccepted");
  assert.ok(event?.name === "proposalAccepted");
  const expected = previewProposal(state, 45n * TOKEN);
  assert.equal(event.data.toBuyer, expected.toBuyer);
  assert.equal(event.data.protocolFee, expected.protocolFee);
  assert.equal(event.data.bondReturned, state.buyerBond);
  assert.equal((await getOffer(rpc, offer)).available, available + 55n * TOKEN);
});

test("a collaborative cancel of a dispute returns every token to the offer and closes the case", async () => {
  const { client, keys, rpc } = desk;
  const offer = await newOffer();
  const trade = await paidTrade(offer);
  await client.openDispute(keys.seller, trade);
  const cases = (await getArbiter(rpc, keys.arbiter.address)).openCases;
  await client.proposeEnding(keys.buyer, trade, 0n);
  const available = (await getOffer(rpc, offer)).available;
  const accepted = await client.acceptProposal(keys.seller, trade, 0n);
  const event = accepted.events.find((e) => e.name === "proposalAccepted");
  assert.ok(event?.name === "proposalAccepted");
  assert.equal(event.data.toBuyer, 0n);
  assert.equal(event.data.toSeller, 100n * TOKEN);
  assert.equal((await getOffer(rpc, offer)).available, available + 100n * TOKEN);
  assert.equal((await getArbiter(rpc, keys.arbiter.address)).openCases, cases - 1n);
});
