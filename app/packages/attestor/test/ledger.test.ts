/**
 * The ledger on its own (SQLite in memory): a file's record is written whole or not at all, a
 * matched credit is never rewritten, an unmatched one is, a credit is found by any of its keys, an
 * attestation moves from `signed` once, and a ledger serves one attestor and folder.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

import { Ledger, LedgerError, type FileRecord } from "../src/ledger";

const TRADE = "7QnrR3VzTaLv3cQBkGL9qVzb99mqUBGB1ZXLgCg7pgsy";
const OTHER = "8qfLfGsBD45rxe3t53zJhMWWCBQzBjR2EJEmgYBvFZ1X";

function credit(id: string, result: "matched" | "unmatched", trade: string | null = null) {
  return {
    id,
    keys: [`key-${id}`],
    fileHash: "h1",
    file: "a.xml",
    where: "report 1, entry 1",
    amount: "25.00",
    currency: "USD",
    bookedAt: "2026-11-30",
    remittance: "Order P2P-MXJ9F-X1S8P-T",
    debtor: null,
    result,
    reference: "P2P-MXJ9F-X1S8P-T",
    refs: "P2P-MXJ9F-X1S8P-T",
    trade,
    reason: result === "unmatched" ? "AmountMismatch" : null,
    detail: null,
  } as const;
}

function attestation(trade: string, creditId: string) {
  return {
    trade,
    credit: creditId,
    reference: "P2P-MXJ9F-X1S8P-T",
    attestor: "attestor",
    signature: "00",
    paymentRefHash: "00",
    signedAt: 1,
  };
}

/** A ledger in memory that read `a.xml`, whose credit `c1` (keys `extraKeys` too) paid TRADE. */
function attestedLedger(extraKeys: string[] = []): Ledger {
  const ledger = new Ledger(":memory:");
  ledger.recordFile({
    hash: "h1",
    file: "a.xml",
    message: "camt.054",
    credits: [{ ...credit("c1", "matched", TRADE), keys: ["key-c1", ...extraKeys] }],
    attestations: [attestation(TRADE, "c1")],
  });
  return ledger;
}

test("a file, its credits and its attestations are written together or not at all", () => {
  const ledger = attestedLedger();
  // A second file whose attestation names a trade attested already: refused whole.
  const second: FileRecord = {
    hash: "h2",
    file: "b.xml",
    message: "camt.053",
    credits: [{ ...credit("c2", "matched", TRADE), fileHash: "h2" }],
    attestations: [attestation(TRADE, "c2")],
  };
  assert.throws(() => ledger.recordFile(second), /UNIQUE constraint failed: attestations.trade/);
  assert.equal(ledger.knowsFile("h2"), false);
  assert.equal(ledger.creditByKeys(["key-c2"]), undefined);
  assert.deepEqual(
    ledger.attestations().map((row) => [row.trade, row.credit, row.status]),
    [[TRADE, "c1", "signed"]],
  );
  ledger.close();
});

test("a matched credit keeps its row; an unmatched one is written again", () => {
  const ledger = new Ledger(":memory:");
  ledger.recordFile({
    hash: "h1",
    file: "a.xml",
    message: "camt.054",
    credits: [credit("c1", "matched", TRADE), credit("c2", "unmatched")],
    attestations: [attestation(TRADE, "c1")],
  });
  ledger.recordFile({
    hash: "h2",
    file: "b.xml",
    message: "camt.053",
    credits: [
      { ...credit("c1", "unmatched"), fileHash: "h2", file: "b.xml" },
      { ...credit("c2", "matched", OTHER), fileHash: "h2", file: "b.xml" },
    ],
    attestations: [attestation(OTHER, "c2")],
  });
  assert.equal(ledger.creditByKeys(["key-c1"])?.result, "matched");
  assert.equal(ledger.creditByKeys(["key-c1"])?.file, "a.xml");
  assert.equal(ledger.creditByKeys(["key-c2"])?.result, "matched");
  assert.equal(ledger.creditByKeys(["key-c2"])?.trade, OTHER);
  assert.deepEqual(ledger.credits("unmatched"), []);
  ledger.close();
});

test("an attestation leaves `signed` once, and a refused file is known by its hash", () => {
  const ledger = attestedLedger();
  ledger.finish(TRADE, "released", "sig", "released");
  ledger.finish(TRADE, "ended", null, "too late");
  assert.deepEqual(
    ledger.attestations().map((row) => [row.status, row.transaction, row.detail]),
    [["released", "sig", "released"]],
  );
  assert.deepEqual(ledger.attestations("signed"), []);
  ledger.refuseFile("h9", "bad.xml", "MalformedXml");
  assert.equal(ledger.knowsFile("h9"), true);
  assert.deepEqual(
    ledger.refusedFiles().map((row) => [row.file, row.error]),
    [["bad.xml", "MalformedXml"]],
  );
  assert.equal(ledger.fileCount(), 2);
  ledger.close();
});

test("a credit is found by any of its keys; a ledger serves one attestor and one folder", () => {
  const ledger = attestedLedger(["uetr:1", "entry:E#1"]);
  // A camt.053.001.02 has no UETR: the entry's reference alone finds the credit.
  assert.equal(ledger.creditByKeys(["entry:E#1"])?.id, "c1");
  assert.equal(ledger.creditByKeys(["uetr:2", "tx:9"]), undefined);
  ledger.bind("attestor-1", "/bank");
  ledger.bind("attestor-1", "/bank");
  assert.throws(() => ledger.bind("attestor-2", "/bank"), LedgerError);
  assert.throws(
    () => ledger.bind("attestor-1", "/other-bank"),
    /the one of folder \/bank, not \/other-bank: give each attestor and folder its own --ledger/,
  );
  ledger.close();
});

test("a reversal's keys and what it withholds are written with its file; unreadable files are kept", () => {
  const ledger = attestedLedger();
  ledger.unreadable("b.xml", "ENOENT");
  ledger.recordFile(
    {
      hash: "h2",
      file: "b.xml",
      message: "camt.054",
      credits: [
        {
          ...credit("r1", "unmatched"),
          result: "reversal",
          keys: ["key-c1", "A|uetr:1"],
          fileHash: "h2",
        },
      ],
      attestations: [],
    },
    2,
    {
      withhold: [{ trade: TRADE, detail: "withheld" }],
      alerts: [{ trade: TRADE, credit: "c1", detail: "returned" }],
    },
  );
  // The reversal's key is kept apart from the credit's, and both answer; what it names is its
  // references and its UETR (the bank's other references may be reused).
  assert.equal(ledger.creditByKeys(["key-c1"])?.id, "c1");
  assert.equal(ledger.reversalByKeys(["key-c1"])?.id, "r1");
  assert.deepEqual([...ledger.reversed()].sort(), ["A|uetr:1", "P2P-MXJ9F-X1S8P-T"]);
  assert.deepEqual(
    ledger.attestations().map((row) => [row.status, row.detail]),
    [["withheld", "withheld"]],
  );
  assert.deepEqual(
    ledger.alerts().map((row) => [row.trade, row.detail]),
    [[TRADE, "returned"]],
  );
  assert.deepEqual(ledger.unreadableFiles(), [], "b.xml was read at last");
  ledger.close();
});

test("one process holds a ledger at a time, until it closes it", () => {
  const path = join(mkdtempSync(join(tmpdir(), "p2p-ledger-")), "attestor.sqlite");
  const first = new Ledger(path);
  const second = new Ledger(path);
  first.hold();
  assert.throws(() => second.hold(), /^LedgerError: another process \(an attestor run\) holds/);
  // Reading needs no hold.
  assert.deepEqual(second.attestations(), []);
  first.close();
  second.hold();
  second.close();
});
