/**
 * Matching a bank statement's credits to open trades. Every booked credit counts once: each
 * transaction of a batch entry (`TxDtls`) on its own, an entry without transaction details as a
 * whole. A credit pays a trade when exactly one payment reference appears in its remittance
 * information (unstructured lines and structured references alike; `findPaymentReferences`), that
 * reference is an open trade's, the currency and the amount are the trade's exactly, and the
 * credit was booked after the trade was taken. One credit pays at most one trade, and a trade is
 * paid by at most one credit. Reversals and returns never pay: they are reported, loudly when they
 * concern a credit already matched.
 *
 * Amounts compare in hundredths of the currency, as the program keeps fiat (`fiat_amount`, two
 * decimals whatever the currency).
 */
import type { Address } from "@solana/kit";

import { findPaymentReferences } from "@p2p-escrow/sdk";
import { scaled, type CamtDocument, type CamtEntry, type CamtTransaction } from "./camt";

/** What the matcher needs of an open trade. */
export type OpenTrade = {
  address: Address;
  /** Fiat owed, in hundredths (the trade's `fiat_amount`). */
  fiatAmount: bigint;
  /** ISO 4217 code of the offer's currency. */
  currency: string;
  /** When the trade was taken (unix seconds). */
  takenAt: bigint;
};

/** One credit of a statement, as the bank identifies it. */
export type Credit = {
  /** Stable across files that report the same credit: the account and the bank's references. */
  key: string;
  /** The file it came from. */
  file: string;
  /** Where in the file (report, entry and transaction). */
  where: string;
  /** The credit's amount: the transaction's in a batch, the entry's otherwise; null when a
   * batch gives a transaction none. */
  amount: { value: string; currency: string } | null;
  /** Booking date (or date and time) as the bank wrote it. */
  bookedAt: string | null;
  /** Remittance information: unstructured lines, then structured references. */
  remittance: string[];
  debtor: string | null;
};

/** Why a credit pays no trade. */
export type Unmatched =
  | "NotBooked"
  | "NoReference"
  | "SeveralReferences"
  | "UnknownOrClosedTrade"
  | "CurrencyMismatch"
  | "AmountMismatch"
  | "BookedBeforeTake"
  | "TradeAlreadyPaid";

export type CreditOutcome =
  | { credit: Credit; trade: Address; reference: string }
  | { credit: Credit; unmatched: Unmatched; reference?: string; detail: string };

/** A reversal or return in a statement: never attests. */
export type Reversal = { credit: Credit; references: string[] };

/** `value` (a camt amount) in hundredths, or null when it has finer parts. */
export function hundredths(value: string): bigint | null {
  const units = scaled(value);
  const factor = 1_000n; // 10^5 scaled units in a whole, 10^2 hundredths.
  return units % factor === 0n ? units / factor : null;
}

/** Seconds since the epoch of a camt date (`YYYY-MM-DD`, the day's start in UTC) or date-time. */
function bookingSeconds(date: string): bigint | null {
  const millis = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00Z` : date);
  return Number.isNaN(millis) ? null : BigInt(Math.floor(millis / 1000));
}

/** The credits (and the reversals) of `document`, each transaction of a batch on its own. */
export function creditsOf(
  document: CamtDocument,
  file: string,
): { credits: { credit: Credit; entry: CamtEntry }[]; reversals: Reversal[] } {
  const credits: { credit: Credit; entry: CamtEntry }[] = [];
  const reversals: Reversal[] = [];
  document.reports.forEach((report, r) => {
    report.entries.forEach((entry, e) => {
      const units: (CamtTransaction | null)[] =
        entry.transactions.length > 0 ? entry.transactions : [null];
      units.forEach((tx, t) => {
        const sign = tx?.creditDebit ?? entry.creditDebit;
        const amount = entry.transactions.length > 1 ? (tx?.amount ?? null) : entry.amount;
        const bankRef =
          tx?.accountServicerReference ?? tx?.endToEndId ?? tx?.transactionId ?? `#${t + 1}`;
        const credit: Credit = {
          key: [
            report.account.id,
            entry.accountServicerReference ?? entry.entryReference ?? entry.bookingDate ?? "",
            bankRef,
            amount?.currency ?? "",
            amount?.value ?? "",
          ].join("|"),
          file,
          where: `report ${r + 1}, entry ${e + 1}${tx ? `, transaction ${t + 1}` : ""}`,
          amount,
          bookedAt: entry.bookingDate,
          remittance: [...(tx?.unstructured ?? []), ...(tx?.structured ?? [])],
          debtor: tx?.debtor
            ? [tx.debtor.name, tx.debtor.account].filter(Boolean).join(", ")
            : null,
        };
        if (entry.reversal) {
          reversals.push({
            credit,
            references: findPaymentReferences(credit.remittance.join(" ")),
          });
        } else if (sign === "CRDT") {
          credits.push({ credit, entry });
        }
      });
    });
  });
  return { credits, reversals };
}

/**
 * Matches the credits of `document` to `trades` (by payment reference); `paid` holds the trades
 * already paid by an earlier credit (and receives those matched here).
 */
export function matchCredits(
  document: CamtDocument,
  file: string,
  trades: ReadonlyMap<string, OpenTrade>,
  paid: Set<Address> = new Set(),
): { outcomes: CreditOutcome[]; reversals: Reversal[] } {
  const { credits, reversals } = creditsOf(document, file);
  const outcomes = credits.map(({ credit, entry }): CreditOutcome => {
    const refuse = (unmatched: Unmatched, detail: string, reference?: string): CreditOutcome => ({
      credit,
      unmatched,
      detail,
      ...(reference ? { reference } : {}),
    });
    if (entry.status !== "BOOK") return refuse("NotBooked", `status ${entry.status}`);
    const references = findPaymentReferences(credit.remittance.join(" "));
    if (references.length === 0)
      return refuse("NoReference", "no payment reference in the remittance");
    if (references.length > 1) {
      return refuse("SeveralReferences", `several payment references: ${references.join(", ")}`);
    }
    const [reference] = references;
    const trade = trades.get(reference);
    if (!trade)
      return refuse("UnknownOrClosedTrade", "no open trade has this reference", reference);
    if (!credit.amount) {
      return refuse("AmountMismatch", "the batch gives this transaction no amount", reference);
    }
    if (credit.amount.currency !== trade.currency) {
      return refuse(
        "CurrencyMismatch",
        `${credit.amount.currency} credited, the trade is in ${trade.currency}`,
        reference,
      );
    }
    const amount = hundredths(credit.amount.value);
    if (amount !== trade.fiatAmount) {
      return refuse(
        "AmountMismatch",
        `${credit.amount.value} credited, the trade owes ${trade.fiatAmount / 100n}.${String(trade.fiatAmount % 100n).padStart(2, "0")}`,
        reference,
      );
    }
    const booked = credit.bookedAt ? bookingSeconds(credit.bookedAt) : null;
    // A date without a time is the whole day: booked before the take only if the day ended before.
    const dayOnly = credit.bookedAt !== null && /^\d{4}-\d{2}-\d{2}$/.test(credit.bookedAt);
    if (booked === null || (dayOnly ? booked + 86_399n : booked) < trade.takenAt) {
      return refuse("BookedBeforeTake", `booked ${credit.bookedAt ?? "(no date)"}`, reference);
    }
    if (paid.has(trade.address)) {
      return refuse("TradeAlreadyPaid", "another credit already paid this trade", reference);
    }
    paid.add(trade.address);
    return { credit, trade: trade.address, reference };
  });
  return { outcomes, reversals };
}
