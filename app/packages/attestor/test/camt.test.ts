/**
 * Reading bank statements. The public sample files in `../shared/data/iso20022` (SOURCES.md there
 * names each source and license; they stay there, never copied here) must all parse, with a few
 * entries' values as the XML says them; the tests that read them skip, saying why, where the
 * folder is absent. Statements generated here with the same XML library (camt.054.001.08 and
 * camt.053.001.02) run everywhere, as do the refusals of malformed, truncated and non-camt input.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";

import { XMLBuilder } from "fast-xml-parser";

import {
  CamtError,
  decodeCamt,
  MAX_CAMT_FILE_SIZE,
  parseCamt,
  reconciles,
  scaled,
  type CamtDocument,
} from "@p2p-escrow/attestor";
import { notification } from "@p2p-escrow/testing";

const SAMPLES = fileURLToPath(new URL("../../../../../shared/data/iso20022/", import.meta.url));
const samples = existsSync(SAMPLES)
  ? {}
  : { skip: `the sample statements are absent (${SAMPLES}): skipped` };

function sample(name: string): CamtDocument {
  return parseCamt(readFileSync(`${SAMPLES}${name}`, "utf8"), name);
}

test("a PostFinance camt.054.001.08 batch credit: two QR-referenced transactions", samples, () => {
  const doc = sample(
    "dvbern__200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727_v2019.xml",
  );
  assert.equal(doc.message, "camt.054");
  assert.equal(doc.version, "001.08");
  assert.equal(doc.messageId, "20200618375204295372463");
  const [report] = doc.reports;
  assert.deepEqual(report.account, { id: "CH2909000000250094239", currency: "CHF" });
  const [entry] = report.entries;
  assert.deepEqual(
    [entry.amount, entry.creditDebit, entry.status, entry.reversal, entry.bookingDate],
    [{ value: "1692.22", currency: "CHF" }, "CRDT", "BOOK", false, "2020-06-18"],
  );
  assert.deepEqual(
    entry.transactions.map((tx) => [tx.amount?.value, tx.structured[0], tx.endToEndId]),
    [
      ["778.29", "539115429773825311971477453", "1006265-aic5dL-75dzf3jk9-cf2d5e9"],
      ["913.93", "662437765447746478179744715", null],
    ],
  );
  assert.equal(reconciles(report), null, "a notification has no balances");
});

test("a camt.053.001.08 statement: one booked credit with a structured reference", samples, () => {
  const doc = sample("genkgo__camt053.v8.xml");
  assert.deepEqual([doc.message, doc.version], ["camt.053", "001.08"]);
  const [report] = doc.reports;
  assert.equal(report.account.id, "NL26VAYB8060476890");
  const [entry] = report.entries;
  assert.deepEqual(entry.amount, { value: "8.85", currency: "EUR" });
  assert.equal(entry.bookingDate, "2014-12-31T13:15:00+01:00");
  assert.equal(entry.accountServicerReference, "AAAASESS-FP-CN_98765/01");
  const [tx] = entry.transactions;
  assert.equal(tx.endToEndId, "MUELL/FINP/RA12345");
  assert.deepEqual(tx.structured, ["4654654654654654"]);
  assert.deepEqual(tx.unstructured, []);
  // Its balances are in four currencies on purpose (SOURCES.md): nothing to reconcile.
  assert.deepEqual(
    report.balances.map((b) => [b.type, b.amount.currency]),
    [
      ["OPBD", "EUR"],
      ["CLBD", "SEK"],
      ["OPAV", "CHF"],
      ["CLAV", "JPY"],
    ],
  );
  assert.equal(reconciles(report), null);
});

test("a camt.054.001.08 batch debit: three transactions, mixed remittance", samples, () => {
  const [report] = sample("genkgo__camt054.v8.xml").reports;
  const [entry] = report.entries;
  assert.deepEqual(
    [entry.amount.value, entry.amount.currency, entry.creditDebit],
    ["200000", "SEK", "DBIT"],
  );
  assert.deepEqual(
    entry.transactions.map((tx) => tx.amount),
    [
      { value: "3.1", currency: "CHF" },
      { value: "3.2", currency: "CHF" },
      { value: "3.2", currency: "CHF" },
    ],
  );
  assert.deepEqual(entry.transactions[2].unstructured, [
    "Unstructured Remittance Information V3 block 1",
    "Unstructured Remittance Information V3 block 2",
  ]);
  assert.deepEqual(entry.transactions[0].structured, [
    "ISR ref number V1",
    "Additional Remittance Information V1",
  ]);
});

test("a camt.052.001.08 intraday report reconciles its balances", samples, () => {
  const doc = sample("hbci4java__test-camt-parse-05200108.xml");
  assert.deepEqual([doc.message, doc.version], ["camt.052", "001.08"]);
  const [report] = doc.reports;
  assert.deepEqual(
    report.balances.map((b) => [b.type, b.amount.value, b.creditDebit, b.date]),
    [
      ["OPBD", "100.00", "CRDT", "2023-11-08"],
      ["CLBD", "66.00", "CRDT", "2023-11-10"],
    ],
  );
  const [entry] = report.entries;
  assert.deepEqual(
    [entry.amount.value, entry.creditDebit, entry.bookingDate],
    ["34.00", "DBIT", "2023-11-10"],
  );
  assert.deepEqual(entry.transactions[0].unstructured, ["Verwendungszweck"]);
  assert.equal(entry.transactions[0].endToEndId, "123456789012");
  assert.equal(reconciles(report), true);
});

test("a camt.054.001.04 credit notification with a debtor", samples, () => {
  const doc = sample("oca__test-camt054");
  assert.deepEqual([doc.message, doc.version], ["camt.054", "001.04"]);
  const [entry] = doc.reports[0].entries;
  assert.deepEqual(
    [entry.amount.value, entry.amount.currency, entry.reversal],
    ["5.00", "EUR", false],
  );
  const [tx] = entry.transactions;
  assert.equal(tx.endToEndId, "ENDTOENDID-01");
  assert.deepEqual(tx.debtor, { name: "Test Customer", account: "NL46ABNA0499998748" });
  assert.deepEqual(tx.structured, ["000000000000000000000000003"]);
});

test(
  "a camt.054.001.10 entry for information only: not booked, netted, no remittance",
  samples,
  () => {
    const doc = sample("subite__2024-03-07.xml");
    assert.deepEqual([doc.message, doc.version], ["camt.054", "001.10"]);
    const [entry] = doc.reports[0].entries;
    assert.deepEqual([entry.status, entry.amount.value, entry.bookingDate], ["INFO", "6329", null]);
    assert.equal(entry.transactions.length, 31);
    const net = entry.transactions.reduce(
      (sum, tx) => sum + (tx.creditDebit === "DBIT" ? -1n : 1n) * scaled(tx.amount!.value),
      0n,
    );
    assert.equal(net, scaled("6329"));
    assert.ok(
      entry.transactions.every((tx) => tx.unstructured.length + tx.structured.length === 0),
    );
  },
);

test("a generated camt.054 and camt.053 read back as written", () => {
  const doc = parseCamt(notification("P2P-PF9AQ-343AE-2"), "generated.xml");
  const [entry] = doc.reports[0].entries;
  assert.deepEqual(
    [entry.amount, entry.status, entry.accountServicerReference, entry.entryReference],
    [{ value: "100.00", currency: "USD" }, "BOOK", "BANK-REF-1", "E-1"],
  );
  assert.deepEqual(entry.transactions[0].unstructured, ["Order P2P-PF9AQ-343AE-2"]);
  assert.deepEqual(entry.transactions[0].debtor, {
    name: "Bo Buyer",
    account: "DE02120300000000202051",
  });
  const statement = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@" }).build({
    Document: {
      "@xmlns": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
      BkToCstmrStmt: {
        GrpHdr: { MsgId: "S-1" },
        Stmt: {
          Id: "S-1",
          Acct: { Id: { Othr: { Id: "4711" } } },
          Bal: [
            {
              Tp: { CdOrPrtry: { Cd: "OPBD" } },
              Amt: { "@Ccy": "EUR", "#text": "10.00" },
              CdtDbtInd: "CRDT",
              Dt: { Dt: "2026-11-29" },
            },
            {
              Tp: { CdOrPrtry: { Cd: "CLBD" } },
              Amt: { "@Ccy": "EUR", "#text": "50.50" },
              CdtDbtInd: "CRDT",
              Dt: { Dt: "2026-11-30" },
            },
          ],
          Ntry: [
            {
              Amt: { "@Ccy": "EUR", "#text": "45.50" },
              CdtDbtInd: "CRDT",
              Sts: "BOOK",
              BookgDt: { DtTm: "2026-11-30T10:00:00Z" },
            },
            {
              Amt: { "@Ccy": "EUR", "#text": "5" },
              CdtDbtInd: "DBIT",
              Sts: "BOOK",
              BookgDt: { Dt: "2026-11-30" },
            },
            { Amt: { "@Ccy": "EUR", "#text": "99" }, CdtDbtInd: "CRDT", Sts: "PDNG" },
          ],
        },
      },
    },
  });
  const [report] = parseCamt(statement, "statement.xml").reports;
  assert.equal(report.account.id, "4711");
  assert.deepEqual(
    report.entries.map((e) => [e.status, e.bookingDate]),
    [
      ["BOOK", "2026-11-30T10:00:00Z"],
      ["BOOK", "2026-11-30"],
      ["PDNG", null],
    ],
  );
  assert.equal(reconciles(report), true, "booked entries only: 10 + 45.50 - 5 = 50.50");
});

test("malformed, truncated and non-camt input is refused by name, naming the file and where", () => {
  const refused = (xml: string, name: string, where: RegExp) =>
    assert.throws(
      () => parseCamt(xml, "in.xml"),
      (error: unknown) =>
        error instanceof CamtError &&
        error.errorName === name &&
        error.file === "in.xml" &&
        where.test(error.element),
    );
  const good = notification("P2P-PF9AQ-343AE-2");
  refused("<Document><Unclosed></Document>", "MalformedXml", /^line 1, column \d+$/);
  refused(good.slice(0, good.length / 2), "MalformedXml", /^line \d+, column \d+$/);
  refused('<?xml version="1.0"?><feed><entry/></feed>', "NotCamt", /^feed$/);
  refused(good.replace("camt.054.001.08", "pain.001.001.09"), "NotCamt", /^Document\/@xmlns$/);
  refused(good.replace("camt.054.001.08", "camt.054.001.11"), "UnsupportedCamtVersion", /@xmlns/);
  refused(good.replace("100.00</Amt>", "1,00</Amt>"), "InvalidCamt", /Ntry\[1\]\/Amt$/);
  refused(
    good.replace("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>X</CdtDbtInd>"),
    "InvalidCamt",
    /CdtDbtInd$/,
  );
  refused(
    good.replace("<Document", '<!DOCTYPE d [<!ENTITY r "P2P-PF9AQ-343AE-2">]><Document'),
    "MalformedXml",
    /^DOCTYPE$/,
  );
  refused(good + " ".repeat(MAX_CAMT_FILE_SIZE), "FileTooLarge", /^\(file\)$/);
});

test("what an entry may also say: proprietary status, return codes, batch size, decimal forms", () => {
  const xml = notification("P2P-PF9AQ-343AE-2")
    .replace(/<Sts>\s*<Cd>BOOK<\/Cd>\s*<\/Sts>/, "<Sts><Prtry>HELD</Prtry></Sts>")
    .replace("<RvslInd>false</RvslInd>", "<RvslInd>1</RvslInd>")
    .replace(
      "<AcctSvcrRef>BANK-REF-1</AcctSvcrRef>",
      "<AcctSvcrRef>BANK-REF-1</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>",
    )
    .replace("<NtryDtls>", "<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch>")
    .replace(/>100\.00</g, ">+100.<");
  const [entry] = parseCamt(xml, "x.xml").reports[0].entries;
  assert.deepEqual(
    [entry.status, entry.reversal, entry.bankTransactionCode, entry.batchSize, entry.amount.value],
    ["HELD", true, "PMNT/RCDT/RRTN", 3, "100"],
  );
  const half = parseCamt(notification("x").replace(/>100\.00</g, ">.5<"), "h.xml");
  assert.equal(half.reports[0].entries[0].amount.value, "0.5");
});

test("a file's bytes: UTF-8, a declared ISO-8859-1, UTF-16 by its mark; other encodings refused", () => {
  const xml = notification("P2P-ABCDE-FGHJK-M", { remittance: "München Gebühr" });
  const fromLatin1 = decodeCamt(
    Buffer.from(xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), "latin1"),
    "l.xml",
  );
  assert.match(fromLatin1, /München Gebühr/);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, "utf16le")]);
  assert.match(decodeCamt(utf16, "u.xml"), /München Gebühr/);
  assert.match(decodeCamt(Buffer.from(xml), "8.xml"), /München Gebühr/);
  const refusals: [Buffer, RegExp][] = [
    [
      Buffer.from(xml, "latin1"),
      /^bad\.xml: MalformedXml at \(encoding\): the bytes are not utf-8$/,
    ],
    [
      Buffer.from(xml.replace('encoding="UTF-8"', 'encoding="EBCDIC"')),
      /declared encoding "EBCDIC" is not UTF-8, ISO-8859-1 or Windows-1252/,
    ],
  ];
  for (const [bytes, message] of refusals) {
    assert.throws(
      () => decodeCamt(bytes, "bad.xml"),
      (error: unknown) => error instanceof CamtError && message.test(error.message),
    );
  }
  // What the parser refuses beyond the validator is malformed too, naming the file.
  assert.throws(
    () => parseCamt(`<?xml version="1.0"?>${"<a>".repeat(200)}${"</a>".repeat(200)}`, "deep.xml"),
    (error: unknown) => error instanceof CamtError && error.errorName === "MalformedXml",
  );
});

test("a Document with two messages, or a message without its reports, is invalid", () => {
  const xml = notification("P2P-ABCDE-FGHJK-M");
  const refusals: [string, RegExp][] = [
    [
      xml.replace(/<Ntfctn>/, "<Rpt>").replace(/<\/Ntfctn>/, "</Rpt>"),
      /^x\.xml: InvalidCamt at BkToCstmrDbtCdtNtfctn\/Ntfctn: missing$/,
    ],
    [
      xml.replace(
        "</Document>",
        "<BkToCstmrStmt><GrpHdr><MsgId>2</MsgId></GrpHdr></BkToCstmrStmt></Document>",
      ),
      /^x\.xml: InvalidCamt at Document\/BkToCstmrStmt: more than one message$/,
    ],
  ];
  for (const [text, message] of refusals) {
    assert.throws(
      () => parseCamt(text, "x.xml"),
      (error: unknown) => error instanceof CamtError && message.test(error.message),
    );
  }
});
