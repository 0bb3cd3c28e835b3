/**
 * Matching credits to open trades: the one exact match, each reason a credit matches nothing, one
 * credit per trade, reversals apart; the public samples' credits all unmatched, with their reasons
 * (they carry no payment reference), skipped where `../shared` is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";

import { address } from "@solana/kit";

import { paymentReference } from "@p2p-escrow/sdk";
import { hundredths, matchCredits, parseCamt, type OpenTrade } from "@p2p-escrow/attestor";
import { notification, statement, type TestCredit } from "@p2p-escrow/testing";

const TRADE = address("So11111111111111111111111111111111111111112");
const OTHER = address("11111111111111111111111111111111");
const REFERENCE = paymentReference(TRADE);
/** Taken on 2026-11-30 at 09:00 UTC, owing 100.00 USD. */
const OPEN: OpenTrade = {
  address: TRADE,
  fiatAmount: 10_000n,
  currency: "USD",
  takenAt: BigInt(Date.parse("2026-11-30T09:00:00Z") / 1000),
};
const trades = [OPEN];

function outcome(...credits: TestCredit[]) {
  return matchCredits(parseCamt(notification(REFERENCE, ...credits), "n.xml"), "n.xml", trades);
}

test("a booked credit with the trade's reference, currency and amount pays it", () => {
  const { outcomes, reversals } = outcome({});
  assert.equal(reversals.length, 0);
  assert.equal(outcomes.length, 1);
  const [paid] = outcomes;
  assert.ok("trade" in paid);
  assert.equal(paid.trade, TRADE);
  assert.equal(paid.reference, REFERENCE);
  assert.equal(paid.credit.debtor, "Bo Buyer, DE02120300000000202051");
  // The reference as a buyer types it, or in a structured creditor reference, pays too.
  for (const credit of [
    { remittance: `invoice ${REFERENCE.toLowerCase().replace(/-/g, " ")}` },
    { creditorReference: REFERENCE.replace(/-/g, "") },
  ]) {
    assert.ok("trade" in outcome(credit).outcomes[0], JSON.stringify(credit));
  }
});

test("each reason a credit pays nothing is named", () => {
  const reasons: [TestCredit, string][] = [
    [{ status: "PDNG" }, "NotBooked"],
    [{ remittance: "thanks for the coins" }, "NoReference"],
    [{ remittance: `Order ${paymentReference(OTHER)}` }, "UnknownOrClosedTrade"],
    [{ batchSize: 2 }, "IncompleteBatch"],
    [{ txAmount: "50.00" }, "AmountsDisagree"],
    [{ currency: "EUR" }, "CurrencyMismatch"],
    [{ amount: "99.99" }, "AmountMismatch"],
    [{ amount: "100.001" }, "AmountMismatch"],
    [{ booked: "2026-11-29" }, "BookedBeforeTake"],
  ];
  for (const [credit, reason] of reasons) {
    const [result] = outcome(credit).outcomes;
    assert.ok("unmatched" in result, reason);
    assert.equal(result.unmatched, reason, JSON.stringify(credit));
  }
  // Booked on the take's day: the day counts (a date carries no time); a time without an offset
  // is UTC, whatever the machine's zone.
  assert.ok("trade" in outcome({ booked: "2026-11-30" }).outcomes[0]);
  const early = outcome({ bookedAt: "2026-11-30T08:59:59" }).outcomes[0];
  assert.ok("unmatched" in early && early.unmatched === "BookedBeforeTake");
  assert.ok("trade" in outcome({ bookedAt: "2026-11-30T09:00:00" }).outcomes[0]);
  assert.ok("trade" in outcome({ bookedAt: "2026-11-30T10:00:00+01:00" }).outcomes[0]);
  // Debits are not credits at all, whatever their transactions say.
  assert.equal(outcome({ creditDebit: "DBIT" }).outcomes.length, 0);
  assert.equal(outcome({ creditDebit: "DBIT", txCreditDebit: "CRDT" }).outcomes.length, 0);
  // Two trades' references: which one? A closed trade's too (it could be a trade taken tomorrow:
  // one payment would pay today's trade, and tomorrow's when the day's statement repeats it).
  const closedToo = outcome({ remittance: `${REFERENCE} ${paymentReference(OTHER)}` }).outcomes[0];
  assert.ok("unmatched" in closedToo && closedToo.unmatched === "SeveralReferences");
  const both = matchCredits(
    parseCamt(
      notification(REFERENCE, { remittance: `${REFERENCE} ${paymentReference(OTHER)}` }),
      "n.xml",
    ),
    "n.xml",
    [OPEN, { ...OPEN, address: OTHER }],
  ).outcomes[0];
  assert.ok("unmatched" in both && both.unmatched === "SeveralReferences");
  // Text that reads as a valid reference by chance counts too: the credit is left to the seller.
  const chance = outcome({ remittance: `${REFERENCE} P2P ORDER NR 1009 X` }).outcomes[0];
  assert.ok("unmatched" in chance && chance.unmatched === "SeveralReferences");
  // Two open trades sharing a reference (50 bits, ground for): neither is paid.
  const twins = matchCredits(parseCamt(notification(REFERENCE), "n.xml"), "n.xml", [OPEN, OPEN])
    .outcomes[0];
  assert.ok("unmatched" in twins && twins.unmatched === "AmbiguousReference");
});

test("one credit per trade; a reversal never pays and is reported apart", () => {
  const { outcomes } = outcome({ bankReference: "A" }, { bankReference: "B" });
  assert.ok("trade" in outcomes[0]);
  assert.ok("unmatched" in outcomes[1] && outcomes[1].unmatched === "TradeAlreadyPaid");
  assert.notEqual(outcomes[0].credit.keys[0], outcomes[1].credit.keys[0]);
  for (const flag of ["true", "1"]) {
    const reversed = outcome({ reversal: flag, creditDebit: "DBIT" });
    assert.equal(reversed.outcomes.length, 0);
    assert.deepEqual(reversed.reversals[0].references, [REFERENCE]);
    assert.equal(reversed.reversals[0].kind, "reversal");
  }
  // A credit and its reversal in one file: the credit does not pay.
  const undone = outcome({ bankReference: "A" }, { bankReference: "B", reversal: "true" });
  assert.ok("unmatched" in undone.outcomes[0] && undone.outcomes[0].unmatched === "Reversed");
  // A debit naming a reference is reported too.
  assert.equal(outcome({ creditDebit: "DBIT" }).reversals[0].kind, "debit");
});

test("a credit's key is the same in a camt.054 and a camt.053 reporting it", () => {
  const read = (xml: string) => matchCredits(parseCamt(xml, "f.xml"), "f.xml", trades).outcomes[0];
  const notified = read(notification(REFERENCE, { bankReference: "N-9", txBankReference: "TX-1" }));
  const stated = read(
    statement(REFERENCE, { bankReference: "S-4", txBankReference: "TX-1", amount: "100.0" }),
  );
  assert.ok(notified.credit.keys[0]);
  assert.equal(notified.credit.keys[0], stated.credit.keys[0]);
  // Without any reference of the bank, no key: only the file and the position say which it is.
  const bare = notification(REFERENCE).replace(/<AcctSvcrRef>BANK-REF-1<\/AcctSvcrRef>/, "");
  assert.deepEqual(read(bare).credit.keys, []);
});

test("amounts compare in hundredths, exactly", () => {
  assert.equal(hundredths("100"), 10_000n);
  assert.equal(hundredths("100.5"), 10_050n);
  assert.equal(hundredths("0.01"), 1n);
  assert.equal(hundredths("0.001"), null);
});

const SAMPLES = fileURLToPath(new URL("../../../../../shared/data/iso20022/", import.meta.url));

test(
  "the public samples' credits pay nothing, each with its reason",
  existsSync(SAMPLES) ? {} : { skip: `the sample statements are absent (${SAMPLES}): skipped` },
  () => {
    const reasons = (file: string) =>
      matchCredits(
        parseCamt(readFileSync(`${SAMPLES}${file}`, "utf8"), file),
        file,
        trades,
      ).outcomes.map((o) => ("unmatched" in o ? o.unmatched : "matched"));
    assert.deepEqual(
      reasons(
        "dvbern__200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727_v2019.xml",
      ),
      ["NoReference", "NoReference"],
    );
    assert.deepEqual(reasons("oca__test-camt054"), ["NoReference"]);
    assert.deepEqual(reasons("genkgo__camt053.v8.xml"), ["NoReference"]);
    assert.deepEqual(reasons("hbci4java__test-camt-parse-05200108.xml"), []);
    const info = reasons("subite__2024-03-07.xml");
    assert.ok(info.length > 0 && info.every((reason) => reason === "NotBooked"));
  },
);

test("the seller's accounts, reversals read earlier and unreadable booking dates", () => {
  const document = parseCamt(notification(REFERENCE), "n.xml");
  const elsewhere = matchCredits(document, "n.xml", trades, new Set(), {
    accounts: ["DE02 1203 0000 0000 2020 51"],
  }).outcomes[0];
  assert.ok("unmatched" in elsewhere && elsewhere.unmatched === "OtherAccount");
  const ours = matchCredits(document, "n.xml", trades, new Set(), {
    accounts: ["de89 3704 0044 0532 0130 00"],
  }).outcomes[0];
  assert.ok("trade" in ours, "an IBAN compares without spaces and case");
  const returned = matchCredits(document, "n.xml", trades, new Set(), {
    reversedBefore: new Set([REFERENCE]),
  }).outcomes[0];
  assert.ok("unmatched" in returned && returned.unmatched === "Reversed");
  assert.equal(returned.detail, "a reversal or return read earlier names it");
  const unreadable = outcome({ bookedAt: "2026-11-30T10:00:00+0100" }).outcomes[0];
  assert.ok("unmatched" in unreadable && unreadable.unmatched === "NoBookingDate");
});

test("a credit's keys: each bank reference it gives, shared by the files that give fewer", () => {
  const uetr = "f5a1e5d2-6c1b-4f5e-9a3d-2b7c8e9f0a11";
  const [notified] = outcome({ uetr, txBankReference: "TX-1" }).outcomes;
  const account = "DE89370400440532013000";
  assert.deepEqual(notified.credit.keys, [
    `${account}|uetr:${uetr}`,
    `${account}|tx:TX-1|USD|10000000`,
    `${account}|entry:BANK-REF-1#1|USD|10000000`,
  ]);
  const [stated] = matchCredits(parseCamt(statement(REFERENCE), "s.xml"), "s.xml", trades).outcomes;
  assert.deepEqual(stated.credit.keys, [`${account}|entry:BANK-REF-1#1|USD|10000000`]);
});

test("a reversal stops the credit it shares a bank key with; a known booking time beats a date", () => {
  const uetr = "f5a1e5d2-6c1b-4f5e-9a3d-2b7c8e9f0a11";
  // The bank's return names the payment by its UETR only, not the payment reference.
  const { outcomes } = outcome(
    { uetr },
    { uetr, remittance: "Ruecklastung", bankReference: "RET-1", reversal: "true" },
  );
  assert.ok("unmatched" in outcomes[0] && outcomes[0].unmatched === "Reversed");
  const [credit] = outcome({ uetr }).outcomes;
  const before = matchCredits(
    parseCamt(notification(REFERENCE, { uetr }), "n.xml"),
    "n.xml",
    trades,
    new Set(),
    {
      reversedBefore: new Set([credit.credit.keys[0]]),
    },
  ).outcomes[0];
  assert.ok("unmatched" in before && before.unmatched === "Reversed");
  // Booked the day of the take, at 08:00, before it: the date alone would count the whole day.
  const early = matchCredits(parseCamt(statement(REFERENCE), "s.xml"), "s.xml", trades, new Set(), {
    bookedAt: () => "2026-11-30T08:00:00Z",
  }).outcomes[0];
  assert.ok("unmatched" in early && early.unmatched === "BookedBeforeTake");
  assert.equal(early.detail, "booked 2026-11-30T08:00:00Z");
});
