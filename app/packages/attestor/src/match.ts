/**
 * Matching a bank statement's credits to open trades. Every booked credit counts once: each
 * transaction of a batch entry (`TxDtls`) on its own, an entry without transaction details as a
 * whole; only entries the bank reports as credits, with transactions that are credits too. A
 * credit pays a trade when, of the payment references in its remittance information (unstructured
 * lines and structured references alike; `findPaymentReferences`), there is exactly one, an open
 * trade's (a credit naming two trades names neither: a reference of a trade closed today could be
 * a trade taken tomorrow's), no other open trade has that reference, the currency and the amount
 * are the trade's exactly, and the credit was booked after the trade was taken. One credit pays at
 * most one trade, and a trade is paid by at most one credit. Reversals, returns and debits naming
 * a reference never pay: they are listed apart, and a credit whose reference one of them names (in
 * the same file, or in `reversedBefore`) does not pay.
 *
 * Amounts compare in hundredths of the currency, as the program keeps fiat (`fiat_amount`, two
 * decimals whatever the currency). A booking time without an offset is read as UTC; a booking
 * date without a time counts as the whole day.
 */
import type { Address } from "@solana/kit";

import { findPaymentReferences, paymentReference } from "@p2p-escrow/sdk";
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

/** Why a credit pays no trade. */
export type Unmatched =
  | "NotBooked"
  | "IncompleteBatch"
  | "AmountsDisagree"
  | "NoReference"
  | "SeveralReferences"
  | "OtherAccount"
  | "UnknownOrClosedTrade"
  | "AmbiguousReference"
  | "Reversed"
  | "CurrencyMismatch"
  | "AmountMismatch"
  | "NoBookingDate"
  | "BookedBeforeTake"
  | "TradeAlreadyPaid";

/** One credit of a statement, as the bank identifies it. */
export type Credit = {
  /**
   * Each identifies this credit in every file that gives it: the account with the payment's UETR,
   * or with one of the bank's references (the transaction's servicer reference, the entry's
   * servicer reference with the transaction's position in it), the currency and the amount. Files
   * give more or fewer of them (a camt.053.001.02 has no UETR): two credits are one when they share
   * any. Empty when the bank gives no reference: then only the file and the position identify it.
   */
  keys: string[];
  /** The account credited (`Acct/Id`). */
  account: string;
  /** The file it came from. */
  file: string;
  /** Where in the file (report, entry and transaction). */
  where: string;
  /** The transaction's amount in a batch, the entry's otherwise; null when a batch gives none. */
  amount: { value: string; currency: string } | null;
  /** Booking date (or date and time) as the bank wrote it. */
  bookedAt: string | null;
  /** Remittance information: unstructured lines, then structured references. */
  remittance: string[];
  /** The payment references in the remittance information (`findPaymentReferences`). */
  references: string[];
  debtor: string | null;
  /** A reason it cannot pay, found in the statement itself. */
  problem: { unmatched: Unmatched; detail: string } | null;
};

export type CreditOutcome =
  | { credit: Credit; trade: Address; reference: string }
  | { credit: Credit; unmatched: Unmatched; reference?: string; detail: string };

/** A reversal, a return or a debit naming a reference: never attests. */
export type Reversal = {
  credit: Credit;
  kind: "reversal" | "return" | "debit";
  references: string[];
};

/** `value` (a camt amount) in hundredths, or null when it has finer parts. */
export function hundredths(value: string): bigint | null {
  const units = scaled(value);
  const factor = 1_000n; // 10^5 scaled units in a whole, 10^2 hundredths.
  return units % factor === 0n ? units / factor : null;
}

/** The last second a camt booking date (the day, UTC) or date-time (UTC unless it says) covers. */
function bookedUntil(date: string): bigint | null {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date);
  const offset = /([zZ]|[+-]\d{2}:\d{2})$/.test(date);
  const millis = Date.parse(day ? `${date}T23:59:59Z` : offset ? date : `${date}Z`);
  return Number.isNaN(millis) ? null : BigInt(Math.floor(millis / 1000));
}

/**
 * The sum of a batch entry's transaction amounts in the entry's currency (scaled), or null when a
 * transaction gives none or another currency.
 */
function batchTotal(entry: CamtEntry): bigint | null {
  let total = 0n;
  for (const tx of entry.transactions) {
    if (!tx.amount || tx.amount.currency !== entry.amount.currency) return null;
    total += scaled(tx.amount.value);
  }
  return total;
}

/** The keys of `credit` that are UETRs: unique to one payment, never reused. */
export function uetrKeys(credit: Credit): string[] {
  return credit.keys.filter((key) => key.includes("|uetr:"));
}

/** An account identifier as compared: without spaces, upper case (IBANs are written both ways). */
export function normalAccount(account: string): string {
  return account.replace(/\s+/g, "").toUpperCase();
}

/** Returns of a credit transfer by their bank transaction code's sub-family. */
const RETURN_CODES = /\/(RRTN|RPCR|ARET|AREV)$/;

/** The credits of `document` (each transaction of a batch on its own) and what never pays. */
export function creditsOf(
  document: CamtDocument,
  file: string,
): { credits: { credit: Credit; entry: CamtEntry }[]; reversals: Reversal[] } {
  const credits: { credit: Credit; entry: CamtEntry }[] = [];
  const reversals: Reversal[] = [];
  document.reports.forEach((report, r) => {
    report.entries.forEach((entry, e) => {
      const batch = entry.transactions.length > 1;
      const units: (CamtTransaction | null)[] =
        entry.transactions.length > 0 ? entry.transactions : [null];
      units.forEach((tx, t) => {
        const amount = batch ? (tx?.amount ?? null) : entry.amount;
        const bankReferences = [
          tx?.uetr ? `uetr:${tx.uetr.toLowerCase()}` : null,
          tx?.accountServicerReference ? `tx:${tx.accountServicerReference}` : null,
          entry.accountServicerReference
            ? `entry:${entry.accountServicerReference}#${t + 1}`
            : null,
        ].filter((reference): reference is string => reference !== null);
        let problem: Credit["problem"] = null;
        if (entry.batchSize !== null && entry.batchSize > entry.transactions.length) {
          problem = {
            unmatched: "IncompleteBatch",
            detail: `the batch holds ${entry.batchSize} transactions, the file details ${entry.transactions.length}`,
          };
        } else if (batch && batchTotal(entry) !== scaled(entry.amount.value)) {
          problem = {
            unmatched: "AmountsDisagree",
            detail: `the entry says ${entry.amount.value}, its transactions add up to something else`,
          };
        } else if (
          !batch &&
          tx?.amount &&
          tx.amount.currency === entry.amount.currency &&
          scaled(tx.amount.value) !== scaled(entry.amount.value)
        ) {
          problem = {
            unmatched: "AmountsDisagree",
            detail: `the entry says ${entry.amount.value}, its transaction ${tx.amount.value}`,
          };
        }
        const remittance = [...(tx?.unstructured ?? []), ...(tx?.structured ?? [])];
        // A UETR names one payment whatever its amount (a return net of charges keeps it); the
        // bank's own references can be reused, so they count with the amount.
        const keys = bankReferences.flatMap((reference) =>
          reference.startsWith("uetr:")
            ? [[report.account.id, reference].join("|")]
            : amount
              ? [[report.account.id, reference, amount.currency, scaled(amount.value)].join("|")]
              : [],
        );
        const credit: Credit = {
          keys,
          account: report.account.id,
          file,
          where: `report ${r + 1}, entry ${e + 1}${tx ? `, transaction ${t + 1}` : ""}`,
          amount,
          bookedAt: entry.bookingDate,
          remittance,
          references: findPaymentReferences(remittance.join(" ")),
          debtor: tx?.debtor
            ? [tx.debtor.name, tx.debtor.account].filter(Boolean).join(", ")
            : null,
          problem,
        };
        const { references } = credit;
        const returned = tx?.returned || RETURN_CODES.test(entry.bankTransactionCode ?? "");
        const debit = entry.creditDebit === "DBIT" || tx?.creditDebit === "DBIT";
        if (entry.reversal || returned) {
          reversals.push({ credit, kind: entry.reversal ? "reversal" : "return", references });
        } else if (debit) {
          if (references.length > 0) reversals.push({ credit, kind: "debit", references });
        } else {
          credits.push({ credit, entry });
        }
      });
    });
  });
  return { credits, reversals };
}

/**
 * Matches the credits of `document` to `trades`; `paid` holds the trades already paid by an
 * earlier credit (and receives those matched here). `reversedBefore`: what reversals read earlier
 * named (payment references, and the keys of the payments they reverse); `accounts`: the
 * accounts credits may pay on (`Acct/Id`, compared without spaces and case; all when absent), a
 * credit to another is `OtherAccount`; `bookedAt`: a more precise booking time known for a credit
 * (a camt.054's time, when the camt.053 repeating it gives the date only), used instead of its own.
 * A reversal in the same file stops a credit that shares its reference or one of its keys.
 */
export function matchCredits(
  document: CamtDocument,
  file: string,
  trades: readonly OpenTrade[],
  paid: Set<Address> = new Set(),
  context: {
    reversedBefore?: ReadonlySet<string>;
    accounts?: readonly string[];
    bookedAt?: (credit: Credit) => string | null;
  } = {},
): { outcomes: CreditOutcome[]; reversals: Reversal[] } {
  const { reversedBefore = new Set<string>(), accounts } = context;
  const accepted = accounts && new Set(accounts.map(normalAccount));
  const byReference = new Map<string, OpenTrade[]>();
  for (const trade of trades) {
    const reference = paymentReference(trade.address);
    byReference.set(reference, [...(byReference.get(reference) ?? []), trade]);
  }
  const { credits, reversals } = creditsOf(document, file);
  // A reversal names a credit by reference, or by its UETR: the bank's other references may be
  // reused for another payment.
  const reversed = new Set(
    reversals.flatMap((reversal) => [...reversal.references, ...uetrKeys(reversal.credit)]),
  );
  const outcomes = credits.map(({ credit, entry }): CreditOutcome => {
    const refuse = (unmatched: Unmatched, detail: string, reference?: string): CreditOutcome => ({
      credit,
      unmatched,
      detail,
      ...(reference ? { reference } : {}),
    });
    if (entry.status !== "BOOK") return refuse("NotBooked", `status ${entry.status}`);
    if (accepted && !accepted.has(normalAccount(credit.account))) {
      return refuse("OtherAccount", `credited to ${credit.account}, not an account served`);
    }
    if (credit.problem) return refuse(credit.problem.unmatched, credit.problem.detail);
    const candidates = credit.references;
    const known = candidates.filter((candidate) => byReference.has(candidate));
    if (candidates.length === 0)
      return refuse("NoReference", "no payment reference in the remittance");
    if (candidates.length > 1) {
      return refuse("SeveralReferences", `several payment references: ${candidates.join(", ")}`);
    }
    if (known.length === 0) {
      return refuse("UnknownOrClosedTrade", "no open trade has its reference", candidates[0]);
    }
    const [reference] = known;
    const matching = byReference.get(reference)!;
    if (matching.length > 1) {
      return refuse("AmbiguousReference", `${matching.length} open trades share it`, reference);
    }
    const [trade] = matching;
    const named = (set: ReadonlySet<string>) =>
      set.has(reference) || credit.keys.some((key) => set.has(key));
    if (named(reversed)) {
      return refuse("Reversed", "a reversal or return in the same file names it", reference);
    }
    if (named(reversedBefore)) {
      return refuse("Reversed", "a reversal or return read earlier names it", reference);
    }
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
    if (hundredths(credit.amount.value) !== trade.fiatAmount) {
      const owed = `${trade.fiatAmount / 100n}.${String(trade.fiatAmount % 100n).padStart(2, "0")}`;
      return refuse(
        "AmountMismatch",
        `${credit.amount.value} credited, the trade owes ${owed}`,
        reference,
      );
    }
    const booked = context.bookedAt?.(credit) ?? credit.bookedAt;
    if (!booked) return refuse("NoBookingDate", "the entry has no booking date", reference);
    const until = bookedUntil(booked);
    if (until === null) {
      return refuse("NoBookingDate", `unreadable booking date ${booked}`, reference);
    }
    if (until < trade.takenAt) {
      return refuse("BookedBeforeTake", `booked ${booked}`, reference);
    }
    if (paid.has(trade.address)) {
      return refuse("TradeAlreadyPaid", "another credit already paid this trade", reference);
    }
    paid.add(trade.address);
    return { credit, trade: trade.address, reference };
  });
  return { outcomes, reversals };
}
