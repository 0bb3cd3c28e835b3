/** Bank statements written for the tests with the XML library the attestor reads them with. */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { XMLBuilder } from "fast-xml-parser";

/**
 * Writes the statement `xml` into `folder` as `name`, as a bank download should arrive: written
 * under `<name>.part` (which the attestor skips), then renamed.
 */
export function deliverStatement(folder: string, name: string, xml: string): void {
  writeFileSync(join(folder, `${name}.part`), xml);
  renameSync(join(folder, `${name}.part`), join(folder, name));
}

/** One credit of a notification. */
export type TestCredit = {
  /** Remittance information, unstructured. */
  remittance?: string;
  /** A structured creditor reference instead. */
  creditorReference?: string;
  amount?: string;
  currency?: string;
  /** The bank's reference of the entry, which identifies the credit across files. */
  bankReference?: string;
  booked?: string;
  status?: string;
  /** `RvslInd` as written (`true`, `1`, ...). */
  reversal?: string;
  creditDebit?: "CRDT" | "DBIT";
  /** The transaction's own sign, amount and servicer reference, when they differ. */
  txCreditDebit?: "CRDT" | "DBIT";
  txAmount?: string;
  txBankReference?: string;
  /** `Refs/UETR` (from camt .001.05; a camt.053.001.02 has none). */
  uetr?: string;
  /** `NtryDtls/Btch/NbOfTxs`. */
  batchSize?: number;
  /** A booking date-time (`BookgDt/DtTm`) instead of the date. */
  bookedAt?: string;
};

function entry(credit: TestCredit) {
  const currency = credit.currency ?? "USD";
  const amount = { "@Ccy": currency, "#text": credit.amount ?? "100.00" };
  const sign = credit.creditDebit ?? "CRDT";
  return {
    NtryRef: "E-1",
    Amt: amount,
    CdtDbtInd: sign,
    RvslInd: credit.reversal ?? "false",
    Sts: { Cd: credit.status ?? "BOOK" },
    BookgDt: credit.bookedAt ? { DtTm: credit.bookedAt } : { Dt: credit.booked ?? "2026-11-30" },
    ValDt: { Dt: credit.booked ?? "2026-11-30" },
    AcctSvcrRef: credit.bankReference ?? "BANK-REF-1",
    NtryDtls: {
      ...(credit.batchSize ? { Btch: { NbOfTxs: String(credit.batchSize) } } : {}),
      TxDtls: {
        Refs: {
          ...(credit.txBankReference ? { AcctSvcrRef: credit.txBankReference } : {}),
          EndToEndId: "E2E-1",
          ...(credit.uetr ? { UETR: credit.uetr } : {}),
        },
        Amt: credit.txAmount ? { "@Ccy": currency, "#text": credit.txAmount } : amount,
        CdtDbtInd: credit.txCreditDebit ?? sign,
        RltdPties: {
          Dbtr: { Pty: { Nm: "Bo Buyer" } },
          DbtrAcct: { Id: { IBAN: "DE02120300000000202051" } },
        },
        RmtInf: credit.creditorReference
          ? {
              Strd: {
                CdtrRefInf: { Tp: { CdOrPrtry: { Cd: "SCOR" } }, Ref: credit.creditorReference },
              },
            }
          : { Ustrd: credit.remittance ?? "" },
      },
    },
  };
}

/**
 * A camt.054.001.08 notification of `credits` (by default one booked credit of 100.00 USD whose
 * remittance is `Order <reference>`), written with fast-xml-parser.
 */
export function notification(reference: string, ...credits: TestCredit[]): string {
  return document("camt.054.001.08", "BkToCstmrDbtCdtNtfctn", "Ntfctn", reference, credits);
}

/** The same credits in a camt.053.001.02 end-of-day statement. */
export function statement(reference: string, ...credits: TestCredit[]): string {
  return document("camt.053.001.02", "BkToCstmrStmt", "Stmt", reference, credits);
}

function document(
  message: string,
  root: string,
  report: string,
  reference: string,
  credits: TestCredit[],
): string {
  const entries = (credits.length > 0 ? credits : [{}]).map((credit) =>
    entry({ remittance: `Order ${reference}`, ...credit }),
  );
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@", format: true }).build({
    "?xml": { "@version": "1.0", "@encoding": "UTF-8" },
    Document: {
      "@xmlns": `urn:iso:std:iso:20022:tech:xsd:${message}`,
      [root]: {
        GrpHdr: { MsgId: "P2P-TEST-1", CreDtTm: "2026-11-30T12:00:00Z" },
        [report]: {
          Id: "N-1",
          Acct: { Id: { IBAN: "DE89370400440532013000" }, Ccy: "USD" },
          Ntry: entries,
        },
      },
    },
  });
}
