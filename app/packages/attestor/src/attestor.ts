/**
 * The payment attestor: watches a folder for bank statements (camt.052, camt.053, camt.054),
 * matches their credits to the open trades of the offers that name its key, signs an attestation
 * for each match and relays `release_with_attestation`, keeping everything in its `Ledger`.
 *
 * One pass (`PaymentAttestor.pass`):
 * 1. every regular file of the folder whose bytes the ledger has not seen (hidden files and
 *    `.part`/`.tmp` files, being written, are skipped; one that cannot be read is reported) is
 *    parsed; a refused file (`CamtError`) is recorded and reported and attests nothing;
 * 2. the open trades (`Locked` or `Paid`) of the served offers are read once for the new files,
 *    and each file's credits matched to them (`matchCredits`, with the references reversals read
 *    earlier named, and the accounts served); a credit that matched before (sharing a key) is
 *    skipped, trades attested before are paid already;
 * 3. each match is signed, then the file, its credits and the signed attestations are written to
 *    the ledger in one transaction;
 * 4. a reversal, return or debit naming an attested trade raises an alert (and withholds the
 *    attestation if it was not relayed yet);
 * 5. every signed attestation not yet relayed (this pass's, or one a crash left, even when a file
 *    failed) is relayed: the trade read again (re-signed if the buyer marked it paid since), then
 *    released; a trade that has ended is looked up in its events (released on the attestation, or
 *    ended otherwise); a relay failing or refused on a trade still releasable waits for the next
 *    pass (signed again if the buyer marked the trade paid in the meantime), its reason noted.
 *
 * It never moves tokens but by the program's `release_with_attestation`, never signs anything but
 * the attestation of a trade whose exact amount arrived with its reference, and never releases a
 * trade it did not match.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import type { Address, KeyPairSigner, ReadonlyUint8Array } from "@solana/kit";

import {
  attestedTrade,
  EscrowClient,
  EscrowError,
  fetchAccountEvents,
  fetchMaybeTrade,
  fiatCurrencyCode,
  getMaybeOffer,
  listOffers,
  listTrades,
  paymentReference,
  signAttestation,
  TradeState,
  type EscrowRpc,
  type Located,
  type Offer,
  type Trade,
} from "@p2p-escrow/sdk";
import { CamtError, decodeCamt, MAX_CAMT_FILE_SIZE, parseCamt, type CamtErrorName } from "./camt";
import type { AttestationRow, CreditRow, FileRecord, Ledger } from "./ledger";
import {
  matchCredits,
  uetrKeys,
  type Credit,
  type OpenTrade,
  type Reversal,
  type Unmatched,
} from "./match";

/** What the attestor did, as it reports it. */
export type AttestorEvent =
  | { kind: "serving"; offers: Address[]; ignored: { offer: Address; attestor: string }[] }
  | { kind: "unreadable"; file: string; error: string }
  | { kind: "refused"; file: string; name: CamtErrorName; message: string }
  | { kind: "failed"; file: string; error: string }
  | { kind: "read"; file: string; message: string; credits: number }
  | {
      kind: "matched";
      file: string;
      where: string;
      trade: Address;
      reference: string;
      amount: string;
      /** True under `dryRun`: nothing was signed. */
      dryRun: boolean;
    }
  | {
      kind: "unmatched";
      file: string;
      where: string;
      reason: Unmatched;
      detail: string;
      reference: string | null;
      amount: string | null;
    }
  | { kind: "seen"; file: string; where: string; trade: string | null }
  | { kind: "reversal"; file: string; where: string; reversal: string; references: string[] }
  | { kind: "alert"; trade: string; credit: string; detail: string }
  | { kind: "released"; trade: string; transaction: string; detail: string }
  | { kind: "not-released"; trade: string; status: "ended" | "refused"; detail: string }
  | { kind: "retry"; trade: string; error: string };

export type AttestorOptions = {
  rpc: EscrowRpc;
  /** Sends the releases; the attestor's key pays their fees. */
  client: EscrowClient;
  /** The attestor's key: the one the served offers name as their attestor. */
  signer: KeyPairSigner;
  /** The folder the bank's statements are dropped in. */
  folder: string;
  /** The ledger, bound to this attestor and folder (`Ledger.bind`). */
  ledger: Ledger;
  /** Serve only these sellers' offers and these offers (both empty: every offer naming the key). */
  sellers?: Address[];
  offers?: Address[];
  /** The seller's bank accounts (`Acct/Id`, an IBAN or another id): credits to others never pay. */
  accounts?: string[];
  /** Match and report, but sign, relay and record nothing. */
  dryRun?: boolean;
  report: (event: AttestorEvent) => void;
};

/** A file waiting to be read, with its bytes. */
type Found = { name: string; hash: string; bytes: Buffer | null; size: number };

const hex = (bytes: ReadonlyUint8Array) => Buffer.from(bytes).toString("hex");

/** Files that are still being written, by their name. */
const PARTIAL = /^\.|\.(part|tmp|crdownload)$/i;

const RELEASABLE = [TradeState.Locked, TradeState.Paid];

/** Whether the references kept in the ledger (`refs`, space-separated) are `references`. */
function sameReferences(refs: string, references: readonly string[]): boolean {
  return refs === references.join(" ");
}

export class PaymentAttestor {
  /** Under `dryRun`, the hashes of files shown already (the ledger is not written). */
  private readonly shown = new Set<string>();
  /** Hashes by name, size and modification time: a file is read once while it stays the same. */
  private readonly hashes = new Map<string, string>();
  /** Files that could not be read, reported once each (by name and error). */
  private readonly unreadable = new Set<string>();

  /** The last relay failure reported per trade: a failure is said again only when it changes. */
  private readonly failing = new Map<string, string>();

  constructor(private readonly options: AttestorOptions) {
    options.ledger.bind(options.signer.address, options.folder, options.dryRun);
    // A dry run writes nothing: it may look while the attestor runs.
    if (!options.dryRun) options.ledger.hold();
  }

  /**
   * One pass: new files read, matched, signed and recorded, each on its own (a file that fails
   * unexpectedly is reported and read again next pass); then signed attestations relayed. Throws
   * the first failure after the relays; returns how many attestations still wait for their relay
   * because it failed.
   */
  async pass(): Promise<number> {
    let failure: unknown = null;
    try {
      const files = this.newFiles();
      if (files.length > 0) {
        const trades = await this.openTrades();
        // A trade attested once is paid, whatever became of the attestation.
        const paid = new Set<Address>(
          this.options.ledger.attestations().map((row) => row.trade as Address),
        );
        for (const file of files) {
          try {
            await this.read(file, trades, paid);
          } catch (error) {
            this.options.report({ kind: "failed", file: file.name, error: String(error) });
            failure ??= error;
          }
        }
      }
    } catch (error) {
      failure ??= error;
    }
    let waiting = 0;
    if (!this.options.dryRun) {
      for (const row of this.options.ledger.attestations("signed")) {
        if (!(await this.relay(row))) waiting += 1;
      }
    }
    if (failure !== null) throw failure;
    return waiting;
  }

  /**
   * The offers served: those naming this attestor's key among the chosen sellers' and offers (or
   * all of them); chosen offers naming another key, or gone, are reported as ignored.
   */
  async servedOffers(): Promise<{
    served: Map<Address, Offer>;
    ignored: { offer: Address; attestor: string }[];
  }> {
    const { rpc, sellers = [], offers = [], signer } = this.options;
    const chosen = await Promise.all(
      offers.map(async (offer) => ({ offer, found: await getMaybeOffer(rpc, offer) })),
    );
    const located: Located<Offer>[] =
      sellers.length + offers.length === 0
        ? await listOffers(rpc)
        : [
            ...(await Promise.all(sellers.map((seller) => listOffers(rpc, { seller })))).flat(),
            ...chosen.flatMap(({ offer, found }) =>
              found ? [{ address: offer, data: found }] : [],
            ),
          ];
    const served = new Map<Address, Offer>();
    // A chosen offer that is gone (closed, or never was, or another account) is ignored, not an
    // error each pass.
    const ignored = chosen
      .filter(({ found }) => !found)
      .map(({ offer }) => ({ offer, attestor: "none: no such offer" }));
    for (const { address, data } of located) {
      const attestor = data.terms.attestor.__option === "Some" ? data.terms.attestor.value : null;
      if (attestor === signer.address) served.set(address, data);
      else if (offers.includes(address) && !ignored.some((o) => o.offer === address)) {
        ignored.push({ offer: address, attestor: attestor ?? "none" });
      }
    }
    return { served, ignored };
  }

  /** Reports what is served. */
  async announce(): Promise<void> {
    const { served, ignored } = await this.servedOffers();
    this.options.report({ kind: "serving", offers: [...served.keys()], ignored });
  }

  /** The served offers' trades that an attestation can release, as the matcher needs them. */
  private async openTrades(): Promise<{ open: OpenTrade[]; states: Map<Address, Trade> }> {
    const { rpc, sellers = [], offers = [] } = this.options;
    const { served } = await this.servedOffers();
    const scopes =
      sellers.length + offers.length === 0
        ? [{}]
        : [...sellers.map((seller) => ({ seller })), ...offers.map((offer) => ({ offer }))];
    const lists = await Promise.all(
      RELEASABLE.flatMap((state) => scopes.map((scope) => listTrades(rpc, { ...scope, state }))),
    );
    const states = new Map<Address, Trade>();
    const open: OpenTrade[] = [];
    for (const { address, data } of lists.flat()) {
      const offer = served.get(data.offer);
      if (!offer || states.has(address)) continue;
      states.set(address, data);
      open.push({
        address,
        fiatAmount: data.fiatAmount,
        currency: fiatCurrencyCode(offer.terms.fiatCurrency),
        takenAt: data.createdAt,
      });
    }
    return { open, states };
  }

  /** The folder's files not read before, by name, each read once. */
  private newFiles(): Found[] {
    const { folder, ledger, report } = this.options;
    const found: Found[] = [];
    const names = readdirSync(folder).sort();
    if (!this.options.dryRun) ledger.keepUnreadable(new Set(names));
    for (const name of names) {
      if (PARTIAL.test(name)) continue;
      try {
        const path = join(folder, name);
        const stat = statSync(path);
        if (!stat.isFile()) continue;
        const version = `${name}|${stat.size}|${stat.mtimeMs}`;
        let hash = this.hashes.get(version);
        let bytes: Buffer | null = null;
        if (hash === undefined) {
          // A file too large is known by its size and time: it is never read whole.
          if (stat.size > MAX_CAMT_FILE_SIZE) hash = `size:${version}`;
          else {
            bytes = readFileSync(path);
            hash = createHash("sha256").update(bytes).digest("hex");
          }
          this.hashes.set(version, hash);
        }
        if (ledger.knowsFile(hash) || this.shown.has(hash)) continue;
        bytes ??= stat.size > MAX_CAMT_FILE_SIZE ? null : readFileSync(path);
        found.push({ name, hash, bytes, size: stat.size });
      } catch (error) {
        // A dangling link, a loop, a file without read permission: said once (and kept in the
        // ledger for the report), tried each pass.
        const said = `${name}|${(error as NodeJS.ErrnoException).code ?? String(error)}`;
        if (!this.unreadable.has(said)) {
          this.unreadable.add(said);
          if (!this.options.dryRun) ledger.unreadable(name, (error as Error).message);
          report({ kind: "unreadable", file: name, error: (error as Error).message });
        }
      }
    }
    return found;
  }

  private async read(
    file: Found,
    trades: { open: OpenTrade[]; states: Map<Address, Trade> },
    paid: Set<Address>,
  ): Promise<void> {
    const { ledger, dryRun, report, signer, accounts } = this.options;
    let document;
    try {
      if (file.bytes === null) {
        throw new CamtError(
          "FileTooLarge",
          file.name,
          "(file)",
          `${file.size} bytes, more than ${MAX_CAMT_FILE_SIZE}`,
        );
      }
      document = parseCamt(decodeCamt(file.bytes, file.name), file.name);
    } catch (error) {
      if (!(error instanceof CamtError)) throw error;
      if (dryRun) this.shown.add(file.hash);
      else ledger.refuseFile(file.hash, file.name, error.message);
      report({ kind: "refused", file: file.name, name: error.errorName, message: error.message });
      return;
    }
    const { outcomes, reversals } = matchCredits(document, file.name, trades.open, paid, {
      reversedBefore: ledger.reversed(),
      accounts,
      // A time the camt.054 gave beats the date the camt.053 repeating it gives.
      bookedAt: (credit) => {
        const known = this.sameCredit(credit)?.bookedAt;
        return known?.includes("T") && !credit.bookedAt?.includes("T") ? known : null;
      },
    });
    report({ kind: "read", file: file.name, message: document.message, credits: outcomes.length });
    const record: FileRecord = {
      hash: file.hash,
      file: file.name,
      message: document.message,
      credits: [],
      attestations: [],
    };
    const attested = new Map(ledger.attestations().map((row) => [row.reference, row]));
    const row = (credit: Credit, id: string, keys: string[]) => ({
      id,
      keys,
      fileHash: file.hash,
      file: file.name,
      where: credit.where,
      amount: credit.amount?.value ?? null,
      currency: credit.amount?.currency ?? null,
      bookedAt: credit.bookedAt,
      remittance: credit.remittance.join(" / "),
      debtor: credit.debtor,
      reference: credit.references[0] ?? null,
      refs: credit.references.join(" "),
      trade: null,
      reason: null,
      detail: null,
    });
    const amountText = (credit: Credit) =>
      credit.amount ? `${credit.amount.value} ${credit.amount.currency}` : null;
    // Keys of this file's credits: two credits of one file sharing one are still two credits.
    const here = new Set<string>();
    for (const outcome of outcomes) {
      const { credit } = outcome;
      let own = credit.keys.some((key) => here.has(key)) ? [] : credit.keys;
      const before = own.length > 0 ? this.sameCredit(credit) : undefined;
      // The bank's reference of another payment (reused, or a batch listed in another order).
      if (own.length > 0 && !before && ledger.creditByKeys(own)) own = [];
      for (const key of own) here.add(key);
      if (before?.result === "matched") {
        report({ kind: "seen", file: file.name, where: credit.where, trade: before.trade });
        continue;
      }
      const id = before?.id ?? own[0] ?? `${file.hash}|${credit.where}`;
      if ("trade" in outcome) {
        report({
          kind: "matched",
          file: file.name,
          where: credit.where,
          trade: outcome.trade,
          reference: outcome.reference,
          amount: amountText(credit)!,
          dryRun: dryRun ?? false,
        });
        if (dryRun) continue;
        const trade = trades.states.get(outcome.trade)!;
        const signature = await signAttestation(
          signer.keyPair.privateKey,
          attestedTrade(outcome.trade, trade),
        );
        record.credits.push({
          ...row(credit, id, own),
          result: "matched",
          reference: outcome.reference,
          trade: outcome.trade,
        });
        record.attestations.push({
          trade: outcome.trade,
          credit: id,
          reference: outcome.reference,
          attestor: signer.address,
          signature: hex(signature),
          paymentRefHash: hex(trade.paymentRefHash),
          signedAt: Date.now(),
        });
      } else {
        const reference = outcome.reference ?? credit.references[0] ?? null;
        // The reference of a trade attested before: most likely that payment reported again.
        const earlier =
          reference !== null &&
          (outcome.unmatched === "UnknownOrClosedTrade" || outcome.unmatched === "TradeAlreadyPaid")
            ? attested.get(reference)
            : undefined;
        const detail = earlier
          ? `trade ${earlier.trade} was attested on credit ${earlier.credit} (${earlier.status}): if this is that payment reported again, nothing to do; else a second payment to return`
          : outcome.detail;
        const reason = earlier ? "TradeAlreadyPaid" : outcome.unmatched;
        report({
          kind: "unmatched",
          file: file.name,
          where: credit.where,
          reason,
          detail,
          reference,
          amount: amountText(credit),
        });
        record.credits.push({
          ...row(credit, id, own),
          result: "unmatched",
          reference,
          reason,
          detail,
        });
      }
    }
    const fresh: Reversal[] = [];
    for (const reversal of reversals) {
      report({
        kind: "reversal",
        file: file.name,
        where: reversal.credit.where,
        reversal: reversal.kind,
        references: reversal.references,
      });
      // A reversal seen before (the day's camt.053 repeating a camt.054) raised its alert then;
      // one sharing a reused bank reference but naming other references is another.
      const seen = ledger.reversalByKeys(reversal.credit.keys);
      const again = seen !== undefined && sameReferences(seen.refs, reversal.references);
      const keys = again || !seen ? reversal.credit.keys : [];
      const id = again ? seen.id : `reversal|${keys[0] ?? `${file.hash}|${reversal.credit.where}`}`;
      if (!again) fresh.push(reversal);
      record.credits.push({
        ...row(reversal.credit, id, keys),
        result: "reversal",
        reason: reversal.kind,
        detail: `a ${reversal.kind} of ${amountText(reversal.credit) ?? "an amount not given"}`,
      });
    }
    if (dryRun) {
      this.shown.add(file.hash);
      return;
    }
    // A reversal of money already attested (named by its reference, or by the bank's keys of the
    // credit): the tokens may be gone; the seller must know. One not relayed yet is withheld, if
    // its trade is still open; all written with the file.
    const consequences = await this.reversalConsequences(file.name, fresh, attested);
    ledger.recordFile(record, Date.now(), consequences);
    for (const alert of consequences.alerts) report({ kind: "alert", ...alert });
  }

  /** The attestations `reversals` withhold and the alerts they raise. */
  private async reversalConsequences(
    file: string,
    reversals: Reversal[],
    attested: Map<string, AttestationRow>,
  ): Promise<{
    withhold: { trade: string; detail: string }[];
    alerts: { trade: string; credit: string; detail: string }[];
  }> {
    const { ledger, rpc } = this.options;
    const withhold: { trade: string; detail: string }[] = [];
    const alerts: { trade: string; credit: string; detail: string }[] = [];
    const byTrade = new Map([...attested.values()].map((row) => [row.trade, row]));
    for (const reversal of reversals) {
      const named = new Set<AttestationRow>();
      for (const reference of reversal.references) {
        const row = attested.get(reference);
        if (row) named.add(row);
      }
      // By the UETR only: the bank's other references may be another payment's.
      const reversedCredit = ledger.creditByKeys(uetrKeys(reversal.credit));
      const row = reversedCredit?.trade ? byTrade.get(reversedCredit.trade) : undefined;
      if (row) named.add(row);
      for (const attestation of named) {
        const where = `a ${reversal.kind} in ${file} (${reversal.credit.where}) names the credit of trade ${attestation.trade} (${attestation.reference})`;
        let detail = `${where}, which was attested (${attestation.status}): the money may have gone back to the payer after the tokens left`;
        if (attestation.status === "signed") {
          // Not recorded as relayed; a relay in flight may have landed all the same. A trade
          // still in escrow (open or disputed), or one the chain cannot tell of now, is withheld.
          const trade = await fetchMaybeTrade(rpc, attestation.trade as Address).catch(() => null);
          if (trade && (!trade.exists || trade.data.state === TradeState.Settled)) {
            detail = `${where}, whose attestation was signed and whose trade has ended: the tokens may have left while the money went back`;
          } else {
            detail = `${where}: its attestation was signed but is withheld, never relayed${trade ? "" : " (the trade could not be read: if a relay in flight landed, the tokens left)"}`;
            withhold.push({ trade: attestation.trade, detail });
          }
        }
        alerts.push({ trade: attestation.trade, credit: attestation.credit, detail });
      }
    }
    return { withhold, alerts };
  }

  /**
   * The credit seen before that `credit` is: one sharing a key with it and naming the same payment
   * references, or none (a remittance cut short in a statement names none: the same credit).
   */
  private sameCredit(credit: Credit): CreditRow | undefined {
    const before =
      credit.keys.length > 0 ? this.options.ledger.creditByKeys(credit.keys) : undefined;
    return before &&
      (credit.references.length === 0 || sameReferences(before.refs, credit.references))
      ? before
      : undefined;
  }

  /**
   * Relays a signed attestation, or records why it cannot be any more; false when it still waits
   * (the relay failed: the RPC, the attestor's SOL, a trade changing meanwhile).
   */
  private async relay(row: AttestationRow): Promise<boolean> {
    const { rpc, client, ledger, report, signer } = this.options;
    const trade = row.trade as Address;
    let signedFor = row.paymentRefHash;
    try {
      const found = await fetchMaybeTrade(rpc, trade);
      if (!found.exists || !RELEASABLE.includes(found.data.state)) {
        await this.ended(row, found.exists ? found.data : null);
        return true;
      }
      let signature = Buffer.from(row.signature, "hex");
      if (hex(found.data.paymentRefHash) !== row.paymentRefHash) {
        // The buyer marked the trade paid since: the attestation covers its reference hash.
        signature = Buffer.from(
          await signAttestation(signer.keyPair.privateKey, attestedTrade(trade, found.data)),
        );
        signedFor = hex(found.data.paymentRefHash);
        ledger.resign(row.trade, hex(signature), signedFor);
      }
      const result = await client.releaseWithAttestation(signer, trade, {
        attestor: signer.address,
        signature,
      });
      const detail = `released on the attestation of credit ${row.credit}`;
      ledger.finish(row.trade, "released", result.signature, detail);
      this.failing.delete(row.trade);
      report({ kind: "released", trade: row.trade, transaction: result.signature, detail });
      return true;
    } catch (error) {
      // Refused or not sent: what the trade is now decides. Ended (released, disputed, expired
      // meanwhile): recorded from its events. Still releasable: the relay waits for the next pass
      // (signed again if the buyer marked it paid as the release was on its way; more SOL for
      // the attestor; the RPC back).
      const now = await fetchMaybeTrade(rpc, trade).catch(() => null);
      if (now && (!now.exists || !RELEASABLE.includes(now.data.state))) {
        return this.ended(row, now.exists ? now.data : null).then(
          () => true,
          () => false,
        );
      }
      const message =
        now?.exists && hex(now.data.paymentRefHash) !== signedFor
          ? "the trade changed; signing again"
          : error instanceof EscrowError
            ? `${error.errorName}: ${error.description.message}`
            : (error as Error).message;
      if (this.failing.get(row.trade) !== message) {
        this.failing.set(row.trade, message);
        ledger.waiting(row.trade, `the relay waits: ${message}`);
        report({ kind: "retry", trade: row.trade, error: message });
      }
      return false;
    }
  }

  /** A signed attestation whose trade cannot be released now: what happened to the trade. */
  private async ended(row: AttestationRow, trade: Trade | null): Promise<void> {
    const { rpc, ledger, report } = this.options;
    const events = await fetchAccountEvents(rpc, row.trade as Address);
    // Any transaction may name the trade's address: only the trade's own release counts.
    const released = events.find(
      (entry) => entry.event.name === "tradeReleased" && entry.event.data.trade === row.trade,
    );
    if (released && released.event.name === "tradeReleased") {
      const by = released.event.data.attestor;
      if (by.__option === "Some" && by.value === this.options.signer.address) {
        const detail = `released on the attestation of credit ${row.credit} (its relay had landed)`;
        ledger.finish(row.trade, "released", released.signature, detail);
        report({ kind: "released", trade: row.trade, transaction: released.signature, detail });
      } else {
        const detail = `released by ${released.event.data.releasedBy} without this attestation`;
        ledger.finish(row.trade, "ended", released.signature, detail);
        report({ kind: "not-released", trade: row.trade, status: "ended", detail });
      }
      return;
    }
    if (trade?.state === TradeState.Disputed) {
      const detail = `trade ${row.trade} is disputed: credit ${row.credit} paid it (${paymentReference(row.trade as Address)}); tell the arbiter`;
      ledger.finish(row.trade, "refused", null, detail);
      report({ kind: "not-released", trade: row.trade, status: "refused", detail });
      return;
    }
    const last = events.at(-1)?.event.name ?? "no event";
    const detail = `the trade ended without this attestation (last event: ${last})`;
    ledger.finish(row.trade, "ended", null, detail);
    report({ kind: "not-released", trade: row.trade, status: "ended", detail });
  }
}
