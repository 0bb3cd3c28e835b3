/**
 * The attestor's ledger: an SQLite database (better-sqlite3) of every statement file read (by the
 * SHA-256 of its bytes), every credit seen (by its key: the bank's reference, the same in every
 * file that reports it), what each credit matched or why it matched nothing, every attestation
 * signed and what became of it, and every alert. The ledger is what makes the attestor safe to
 * restart and to feed the same money twice:
 *
 * - a file whose hash is known is not read again;
 * - a credit that matched once never matches again (a camt.053 repeating a camt.054's entry): a
 *   credit is known by any of its keys (the bank's references, `Credit.keys`);
 * - a trade is attested once: the attestation is written, in one SQLite transaction with its
 *   file and credits, after signing and before relaying, so a crash in between leaves it `signed`
 *   and the next start relays it (or finds the trade released).
 *
 * A credit that matched nothing is written again when another file reports it (the trade may have
 * been taken since, or the reason may have changed); one that matched is never rewritten.
 *
 * A ledger belongs to one attestor key and one folder (`bind`): another instance's files and
 * credits are not its own.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

import Database from "better-sqlite3";

/** What a credit came to. */
export type CreditResult = "matched" | "unmatched" | "reversal";

/** A credit as the ledger keeps it. */
export type CreditRow = {
  /** The credit's key, or `<file hash>|<where>` when the bank gave it no reference. */
  id: string;
  fileHash: string;
  file: string;
  where: string;
  /** The amount as the bank wrote it, and its currency; null when the file gives none. */
  amount: string | null;
  currency: string | null;
  bookedAt: string | null;
  /** Remittance information lines, joined by " / ". */
  remittance: string;
  debtor: string | null;
  result: CreditResult;
  /** The payment reference it carried (the matched one, or the first found). */
  reference: string | null;
  /** Every payment reference found in it, separated by spaces. */
  refs: string;
  /** The trade it paid. */
  trade: string | null;
  /** Why it matched nothing (an `Unmatched` name), or the kind of reversal. */
  reason: string | null;
  detail: string | null;
  /** When it was first and last seen (unix milliseconds). */
  firstSeen: number;
  lastSeen: number;
};

/**
 * What became of an attestation: `signed` (to relay), `released` (the trade paid out on it, by
 * this attestor's relay or another's), `ended` (the trade ended otherwise before the relay),
 * `refused` (the program refused it: the trade is disputed, or changed), `withheld` (a reversal
 * of its credit arrived before the relay).
 */
export type AttestationStatus = "signed" | "released" | "ended" | "refused" | "withheld";

export type AttestationRow = {
  trade: string;
  credit: string;
  reference: string;
  attestor: string;
  /** The Ed25519 signature, hex, and the payment reference hash it covers, hex. */
  signature: string;
  paymentRefHash: string;
  signedAt: number;
  status: AttestationStatus;
  /** The release transaction's signature. */
  transaction: string | null;
  detail: string | null;
  finishedAt: number | null;
};

/** A refused file. */
export type FileRow = {
  hash: string;
  file: string;
  readAt: number;
  /** The camt message read, or null when the file was refused. */
  message: string | null;
  /** Why it was refused: the `CamtError` name and message. */
  error: string | null;
};

/** A reversal, return or debit that names an attested trade: the seller must act. */
export type AlertRow = {
  id: number;
  at: number;
  trade: string;
  credit: string;
  detail: string;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
  hash TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  read_at INTEGER NOT NULL,
  message TEXT,
  error TEXT
);
CREATE TABLE IF NOT EXISTS credits (
  id TEXT PRIMARY KEY,
  file_hash TEXT NOT NULL REFERENCES files(hash),
  file TEXT NOT NULL,
  "where" TEXT NOT NULL,
  amount TEXT,
  currency TEXT,
  booked_at TEXT,
  remittance TEXT NOT NULL,
  debtor TEXT,
  result TEXT NOT NULL CHECK (result IN ('matched', 'unmatched', 'reversal')),
  reference TEXT,
  refs TEXT NOT NULL,
  trade TEXT,
  reason TEXT,
  detail TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS unreadable (
  file TEXT PRIMARY KEY,
  error TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS credit_keys (
  key TEXT PRIMARY KEY,
  credit TEXT NOT NULL REFERENCES credits(id)
);
CREATE TABLE IF NOT EXISTS attestations (
  trade TEXT PRIMARY KEY,
  credit TEXT NOT NULL UNIQUE REFERENCES credits(id),
  reference TEXT NOT NULL,
  attestor TEXT NOT NULL,
  signature TEXT NOT NULL,
  payment_ref_hash TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('signed', 'released', 'ended', 'refused', 'withheld')),
  "transaction" TEXT,
  detail TEXT,
  finished_at INTEGER
);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  trade TEXT NOT NULL,
  credit TEXT NOT NULL,
  detail TEXT NOT NULL
);
`;

/** How a reversal's keys are kept apart from the keys of the credit it reverses. */
const REVERSAL = "reversal|";

/** snake_case columns to the rows' camelCase fields. */
function camel<T>(row: unknown): T {
  return Object.fromEntries(
    Object.entries(row as Record<string, unknown>).map(([key, value]) => [
      key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  ) as T;
}

/** A ledger opened for another attestor or folder than its own. */
export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerError";
  }
}

/** A file read, with its credits and the attestations signed for them, written at once. */
export type FileRecord = {
  hash: string;
  file: string;
  message: string;
  /** Each credit with the keys it is known by. */
  credits: (Omit<CreditRow, "firstSeen" | "lastSeen"> & { keys: readonly string[] })[];
  attestations: Omit<AttestationRow, "status" | "transaction" | "detail" | "finishedAt">[];
};

export class Ledger {
  private readonly db: Database.Database;
  /** The lock `hold` keeps, while it does. */
  private lock: Database.Database | null = null;

  /** Opens (or creates, with its folder) the ledger at `path`; `:memory:` for none on disk. */
  constructor(private readonly path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    // Write-ahead logging: a crash never leaves half a transaction, and `report` reads while
    // `run` writes. Synchronous FULL: a committed transaction (an attestation about to be relayed)
    // survives a power loss too, not only a crash of the process.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.lock?.close();
    this.lock = null;
    this.db.close();
  }

  /**
   * Keeps the ledger this process's until `close`: an exclusive SQLite transaction on
   * `<path>.lock`, which the system releases when the process ends, however it ends. A second
   * process holding it (another `attestor run` on this ledger, which would report every file and
   * release twice) is refused with `LedgerError`; reading (`attestor report`) needs no hold.
   */
  hold(): void {
    if (this.path === ":memory:" || this.lock) return;
    const lock = new Database(`${this.path}.lock`, { timeout: 0 });
    try {
      lock.exec("BEGIN EXCLUSIVE");
    } catch (error) {
      lock.close();
      if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
      throw new LedgerError(
        `another process (an attestor run) holds the ledger ${this.path}: one attestor run per ledger`,
      );
    }
    this.lock = lock;
  }

  /**
   * Makes the ledger the one of `attestor` watching `folder` (a new ledger becomes theirs, unless
   * `readOnly`); refuses one kept for another attestor or folder (`LedgerError`).
   */
  bind(attestor: string, folder: string, readOnly = false): void {
    const get = this.db.prepare("SELECT value FROM meta WHERE name = ?");
    const set = this.db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)");
    for (const [name, value] of [
      ["attestor", attestor],
      ["folder", folder],
    ]) {
      if (!readOnly) set.run(name, value);
      const kept = (get.get(name) as { value: string } | undefined)?.value ?? value;
      if (kept !== value) {
        throw new LedgerError(
          `this ledger is the one of ${name} ${kept}, not ${value}: give each attestor and folder its own --ledger`,
        );
      }
    }
  }

  /** The credit sharing one of `keys`, if any was seen. */
  creditByKeys(keys: readonly string[]): CreditRow | undefined {
    const find = this.db.prepare(
      "SELECT credits.* FROM credit_keys JOIN credits ON credits.id = credit_keys.credit WHERE key = ?",
    );
    for (const key of keys) {
      const row = find.get(key);
      if (row !== undefined) return camel<CreditRow>(row);
    }
    return undefined;
  }

  /**
   * What every reversal, return or debit seen names: the payment references in its remittance
   * and the UETR of the payment it reverses (its other bank keys may be reused).
   */
  reversed(): Set<string> {
    const refs = this.db.prepare("SELECT refs FROM credits WHERE result = 'reversal'").all() as {
      refs: string;
    }[];
    const keys = this.db
      .prepare("SELECT substr(key, 10) AS key FROM credit_keys WHERE key LIKE 'reversal|%|uetr:%'")
      .all() as { key: string }[];
    return new Set([
      ...refs.flatMap((row) => row.refs.split(" ").filter(Boolean)),
      ...keys.map((row) => row.key),
    ]);
  }

  /** The reversal sharing one of `keys` (a reversal's own keys), if one was seen. */
  reversalByKeys(keys: readonly string[]): CreditRow | undefined {
    return this.creditByKeys(keys.map((key) => `${REVERSAL}${key}`));
  }

  /** Records a file that cannot be read (by name), until it can. */
  unreadable(file: string, error: string, at = Date.now()): void {
    this.db
      .prepare(
        "INSERT INTO unreadable (file, error, at) VALUES (?, ?, ?) ON CONFLICT (file) DO UPDATE SET error = excluded.error, at = excluded.at",
      )
      .run(file, error, at);
  }

  /** A file that can be read (again). */
  readable(file: string): void {
    this.db.prepare("DELETE FROM unreadable WHERE file = ?").run(file);
  }

  /** The files that could not be read, as last tried. */
  unreadableFiles(): { file: string; error: string; at: number }[] {
    return this.db.prepare("SELECT * FROM unreadable ORDER BY file").all() as {
      file: string;
      error: string;
      at: number;
    }[];
  }

  /** Whether a file with these bytes was read (or refused) before. */
  knowsFile(hash: string): boolean {
    return this.db.prepare("SELECT 1 FROM files WHERE hash = ?").get(hash) !== undefined;
  }

  /** Records a refused file, so that the same bytes are not read again. */
  refuseFile(hash: string, file: string, error: string, at = Date.now()): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT OR IGNORE INTO files (hash, file, read_at, error) VALUES (?, ?, ?, ?)")
        .run(hash, file, at, error);
      this.readable(file);
    })();
  }

  /**
   * Records a file read, its credits and the attestations signed for them, with the attestations
   * its reversals withhold and the alerts they raise, all or nothing. A credit already matched
   * keeps its row; an unmatched one is rewritten. A reversal's keys are kept apart from its
   * credit's.
   */
  recordFile(
    record: FileRecord,
    at = Date.now(),
    reversals: {
      withhold: { trade: string; detail: string }[];
      alerts: Omit<AlertRow, "id" | "at">[];
    } = {
      withhold: [],
      alerts: [],
    },
  ): void {
    const insertFile = this.db.prepare(
      "INSERT INTO files (hash, file, read_at, message) VALUES (?, ?, ?, ?)",
    );
    const upsertCredit = this.db.prepare(`
      INSERT INTO credits (id, file_hash, file, "where", amount, currency, booked_at, remittance,
        debtor, result, reference, refs, trade, reason, detail, first_seen, last_seen)
      VALUES (@id, @fileHash, @file, @where, @amount, @currency, @bookedAt, @remittance, @debtor,
        @result, @reference, @refs, @trade, @reason, @detail, @at, @at)
      ON CONFLICT (id) DO UPDATE SET
        file_hash = excluded.file_hash, file = excluded.file, "where" = excluded."where",
        result = excluded.result, reference = excluded.reference, refs = excluded.refs,
        trade = excluded.trade, reason = excluded.reason, detail = excluded.detail,
        last_seen = excluded.last_seen
      WHERE credits.result != 'matched'`);
    const insertKey = this.db.prepare(
      "INSERT OR IGNORE INTO credit_keys (key, credit) VALUES (?, ?)",
    );
    const insertAttestation = this.db.prepare(`
      INSERT INTO attestations (trade, credit, reference, attestor, signature, payment_ref_hash,
        signed_at, status)
      VALUES (@trade, @credit, @reference, @attestor, @signature, @paymentRefHash, @signedAt,
        'signed')`);
    this.db.transaction(() => {
      insertFile.run(record.hash, record.file, at, record.message);
      for (const { keys, ...credit } of record.credits) {
        upsertCredit.run({ ...credit, at });
        const prefix = credit.result === "reversal" ? REVERSAL : "";
        for (const key of keys) insertKey.run(`${prefix}${key}`, credit.id);
      }
      for (const attestation of record.attestations) insertAttestation.run(attestation);
      for (const { trade, detail } of reversals.withhold) {
        this.finish(trade, "withheld", null, detail, at);
      }
      for (const alert of reversals.alerts) {
        this.alert(alert.trade, alert.credit, alert.detail, at);
      }
      this.readable(record.file);
    })();
  }

  /** Attestations by status (all when none is given), oldest first. */
  attestations(status?: AttestationStatus): AttestationRow[] {
    const rows =
      status === undefined
        ? this.db.prepare("SELECT * FROM attestations ORDER BY signed_at, trade").all()
        : this.db
            .prepare("SELECT * FROM attestations WHERE status = ? ORDER BY signed_at, trade")
            .all(status);
    return rows.map((row) => camel<AttestationRow>(row));
  }

  /** Why the relay of a signed attestation waits (shown by the report). */
  waiting(trade: string, detail: string): void {
    this.db
      .prepare("UPDATE attestations SET detail = ? WHERE trade = ? AND status = 'signed'")
      .run(detail, trade);
  }

  /** Forgets the unreadable files no longer in the folder (by name). */
  keepUnreadable(present: ReadonlySet<string>): void {
    for (const { file } of this.unreadableFiles()) {
      if (!present.has(file)) this.readable(file);
    }
  }

  /** The attestation of a trade signed again (the trade's payment reference hash changed). */
  resign(trade: string, signature: string, paymentRefHash: string): void {
    this.db
      .prepare(
        "UPDATE attestations SET signature = ?, payment_ref_hash = ? WHERE trade = ? AND status = 'signed'",
      )
      .run(signature, paymentRefHash, trade);
  }

  /** What became of a signed attestation. */
  finish(
    trade: string,
    status: Exclude<AttestationStatus, "signed">,
    transaction: string | null,
    detail: string | null,
    at = Date.now(),
  ): void {
    this.db
      .prepare(
        `UPDATE attestations SET status = ?, "transaction" = ?, detail = ?, finished_at = ?
         WHERE trade = ? AND status = 'signed'`,
      )
      .run(status, transaction, detail, at, trade);
  }

  /** Records an alert. */
  alert(trade: string, credit: string, detail: string, at = Date.now()): void {
    this.db
      .prepare("INSERT INTO alerts (at, trade, credit, detail) VALUES (?, ?, ?, ?)")
      .run(at, trade, credit, detail);
  }

  alerts(): AlertRow[] {
    return this.db
      .prepare("SELECT * FROM alerts ORDER BY id")
      .all()
      .map((row) => camel<AlertRow>(row));
  }

  /** Credits by result, oldest first. */
  credits(result: CreditResult): CreditRow[] {
    return this.db
      .prepare("SELECT * FROM credits WHERE result = ? ORDER BY first_seen, rowid")
      .all(result)
      .map((row) => camel<CreditRow>(row));
  }

  /** Files refused. */
  refusedFiles(): FileRow[] {
    return this.db
      .prepare("SELECT * FROM files WHERE error IS NOT NULL ORDER BY read_at, file")
      .all()
      .map((row) => camel<FileRow>(row));
  }

  /** How many files were read (refused ones included). */
  fileCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM files").get() as { n: number }).n;
  }
}
