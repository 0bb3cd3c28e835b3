/**
 * The payment attestor end to end: `p2p-escrow attestor run` (the built binary) watches a folder
 * on the local chain while the tests take and pay trades and drop the bank's camt.054 and camt.053
 * files (written by `@p2p-escrow/testing`'s statements, with the XML library the attestor reads
 * them with) into it; `attestor report` reads the ledger back. Also: each credit that must not pay
 * (wrong amount, currency, account, no reference, two references, a reversal in the same file or
 * an earlier one), files refused without holding up the good one, the ledger bound to its folder,
 * a buyer's mark racing the release, and crashes between signing and relaying.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { Ledger } from "@p2p-escrow/attestor";
import {
  fetchMaybeTrade,
  getTrade,
  hashText,
  paymentReference,
  tokenAccountAddress,
  TradeState,
  type Address,
} from "@p2p-escrow/sdk";
import {
  deliverStatement,
  notification,
  offerTerms,
  startDesk,
  statement,
  TOKEN,
  type Desk,
  type TestCredit,
} from "@p2p-escrow/testing";

const BIN = fileURLToPath(new URL("../dist/p2p-escrow.mjs", import.meta.url));

let desk: Desk;
let offer: Address;
let work: string;

before(async () => {
  desk = await startDesk();
  work = mkdtempSync(join(tmpdir(), "p2p-escrow-attestor-"));
  const created = await desk.client.createOffer(desk.keys.seller, {
    mint: desk.usd.address,
    amount: 2_000n * TOKEN,
    terms: await offerTerms(desk, { attestor: desk.keys.attestor.address }),
  });
  offer = created.address!;
});
after(async () => {
  await desk.chain.stop();
});

/** The arguments of `attestor run` for the desk's attestor on `folder` and `ledger` via `url`. */
function runArgs(folder: string, ledger: string, url = desk.chain.url): string[] {
  const keypair = join(desk.keyDir, "attestor.json");
  return [
    "attestor",
    "run",
    "--folder",
    folder,
    "--ledger",
    ledger,
    "--url",
    url,
    "--keypair",
    keypair,
  ];
}

/** The built binary run to its end. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
}

/** An event `attestor run --json` printed. */
type Event = { kind: string; file?: string; trade?: string; reason?: string } & Record<
  string,
  unknown
>;

/** A running `attestor run` and the events it printed. */
class Daemon {
  readonly events: Event[] = [];
  stderr = "";
  private readonly process: ChildProcess;
  /** Its exit status, once it exits. */
  readonly exit: Promise<number | null>;

  constructor(folder: string, ledger: string, url: string, ...extra: string[]) {
    this.process = spawn(
      process.execPath,
      [BIN, ...runArgs(folder, ledger, url), "--interval", "200", "--json", ...extra],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let pending = "";
    this.process.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) this.events.push(JSON.parse(line) as Event);
    });
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    // "close": exited, and both pipes read to their end.
    this.exit = new Promise((resolve) => this.process.once("close", (code) => resolve(code)));
  }

  /** Waits (at most `ms`) for an event `found` accepts. */
  async waitFor(found: (event: Event) => boolean, ms = 20_000): Promise<Event> {
    const until = Date.now() + ms;
    for (;;) {
      const event = this.events.find(found);
      if (event) return event;
      if (Date.now() > until) {
        assert.fail(`no such event in ${JSON.stringify(this.events)}\nstderr: ${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits (at most `ms`) for `pattern` on stderr, a pipe of its own that may lag stdout. */
  async waitForStderr(pattern: RegExp, ms = 5_000): Promise<void> {
    const until = Date.now() + ms;
    while (!pattern.test(this.stderr)) {
      if (Date.now() > until) assert.fail(`no ${pattern} in stderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The events about `file`, once it has been read (or refused). */
  async fileEvents(file: string): Promise<Event[]> {
    await this.waitFor((e) => e.file === file && (e.kind === "read" || e.kind === "refused"));
    // What follows the read (matches, reversals, alerts) is printed in the same pass.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return this.events.filter((e) => e.file === file);
  }

  /** Stops it as an operator would (SIGTERM: the pass ends, the ledger closes). */
  async stop(): Promise<number | null> {
    this.process.kill("SIGTERM");
    return this.exit;
  }

  /** Kills it mid-work, as a crash would. */
  async kill(): Promise<void> {
    this.process.kill("SIGKILL");
    await this.exit;
  }
}

/** A trade of `tokens` taken by the buyer and marked paid with its payment reference. */
async function paidTrade(tokens: bigint): Promise<Address> {
  const trade = (await desk.client.takeOffer(desk.keys.buyer, offer, tokens * TOKEN)).address!;
  await desk.client.markPaid(desk.keys.buyer, trade, await hashText(paymentReference(trade)));
  return trade;
}

/** A credit paying `trade` in full, booked a minute after its take by the chain's clock. */
async function credit(trade: Address, overrides: TestCredit = {}): Promise<TestCredit> {
  const state = await getTrade(desk.rpc, trade);
  const booked = new Date(Number(state.createdAt + 60n) * 1000).toISOString();
  return {
    remittance: `Order ${paymentReference(trade)}`,
    amount: `${state.fiatAmount / 100n}.${String(state.fiatAmount % 100n).padStart(2, "0")}`,
    bookedAt: booked,
    bankReference: `BANK-${trade.slice(0, 8)}`,
    ...overrides,
  };
}

async function tokens(owner: Address): Promise<bigint> {
  const account = await tokenAccountAddress(owner, desk.usd.address, desk.usd.tokenProgram);
  if (!(await desk.rpc.getAccountInfo(account, { encoding: "base64" }).send()).value) return 0n;
  const balance = await desk.rpc.getTokenAccountBalance(account).send();
  return BigInt(balance.value.amount);
}

async function released(trade: Address): Promise<boolean> {
  return !(await fetchMaybeTrade(desk.rpc, trade)).exists;
}

async function stillOpen(trade: Address): Promise<void> {
  const state = await getTrade(desk.rpc, trade);
  assert.equal(state.state, TradeState.Paid, `trade ${trade} is still paid and waiting`);
}

function report(ledger: string) {
  const result = cli("attestor", "report", "--ledger", ledger, "--json");
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as {
    alerts: { trade: string; detail: string }[];
    unmatched: { reason: string; reference: string | null; file: string }[];
    reversals: { reason: string; reference: string | null }[];
    refusedFiles: { file: string; error: string }[];
    unreadable: { file: string; error: string }[];
    attestations: { trade: string; status: string; credit: string; detail: string }[];
  };
}

test("the attestor releases a paid trade within seconds of its camt.054, and only once", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "one.sqlite");
  const daemon = new Daemon(folder, ledger, desk.chain.url);
  try {
    await daemon.waitFor((e) => e.kind === "serving");
    const trade = await paidTrade(25n);
    const buyerBefore = await tokens(desk.keys.buyer.address);
    const paid = await credit(trade);
    const start = Date.now();
    const uetr = "f5a1e5d2-6c1b-4f5e-9a3d-2b7c8e9f0a11";
    deliverStatement(
      folder,
      "a.camt054.xml",
      notification(paymentReference(trade), { ...paid, uetr }),
    );
    await daemon.waitFor((e) => e.kind === "released" && e.trade === trade);
    const seconds = (Date.now() - start) / 1000;
    assert.ok(seconds < 5, `released ${seconds} s after the file landed`);
    assert.ok(await released(trade));
    // 25 tokens less the mint's 1% transfer fee and the protocol's 0.5% fee on them.
    assert.ok((await tokens(desk.keys.buyer.address)) > buyerBefore + 24n * TOKEN);

    // The same bytes again under another name: the ledger knows the file, nothing happens.
    copyFileSync(join(folder, "a.camt054.xml"), join(folder, "b-copy.xml"));
    // The same entry in the end-of-day camt.053 (another file, a version without the UETR, so
    // known by the bank's entry reference): seen, never attested again.
    deliverStatement(folder, "c.camt053.xml", statement(paymentReference(trade), paid));
    const again = await daemon.fileEvents("c.camt053.xml");
    assert.deepEqual(
      again.map((e) => e.kind),
      ["read", "seen"],
    );
    assert.equal(again[1].trade, trade);
    assert.equal(
      daemon.events.filter((e) => e.file === "b-copy.xml").length,
      0,
      "a file read before is not read again",
    );
    const attestations = report(ledger).attestations;
    assert.deepEqual(
      attestations.map((a) => [a.trade, a.status]),
      [[trade, "released"]],
    );
    // One attestor run per ledger: a second is refused while this one runs; a dry run may look.
    const second = cli(...runArgs(folder, ledger), "--once");
    assert.equal(second.status, 1);
    assert.match(second.stderr, /error: LedgerError: another process \(an attestor run\) holds/);
    assert.equal(cli(...runArgs(folder, ledger), "--once", "--dry-run").status, 0);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
  // Stderr is for alerts and failures: the release is an event, not progress lines.
  assert.doesNotMatch(daemon.stderr, /signing…|sending |confirmed /);
});

test("wrong amount, wrong currency, a missing reference and a reversal attest nothing, by name", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "refusals.sqlite");
  const daemon = new Daemon(folder, ledger, desk.chain.url);
  try {
    await daemon.waitFor((e) => e.kind === "serving");
    const [short, euro, unreferenced, reversed, twice, returnedFirst, later] = [
      await paidTrade(10n),
      await paidTrade(11n),
      await paidTrade(12n),
      await paidTrade(13n),
      await paidTrade(19n),
      await paidTrade(20n),
      await paidTrade(14n),
    ];
    const credits = [
      await credit(short, { amount: "9.99" }),
      await credit(euro, { currency: "EUR" }),
      await credit(unreferenced, { remittance: "Order for the USDC trade" }),
      await credit(reversed),
      await credit(reversed, { bankReference: "BANK-RETURN-1", reversal: "true" }),
      // Two trades' references (one of them closed: it could be tomorrow's trade): neither.
      await credit(twice, {
        remittance: `${paymentReference(twice)} ${paymentReference(offer)}`,
      }),
    ];
    deliverStatement(folder, "refusals.xml", notification("unused", ...credits));
    const events = await daemon.fileEvents("refusals.xml");
    const outcomes = events
      .filter((e) => e.kind === "unmatched")
      .map((e) => [e.reason, e.reference] as const);
    assert.deepEqual(outcomes, [
      ["AmountMismatch", paymentReference(short)],
      ["CurrencyMismatch", paymentReference(euro)],
      ["NoReference", null],
      ["Reversed", paymentReference(reversed)],
      ["SeveralReferences", paymentReference(twice)],
    ]);
    assert.equal(events.filter((e) => e.kind === "reversal").length, 1);
    assert.equal(events.filter((e) => e.kind === "matched").length, 0);
    for (const trade of [short, euro, unreferenced, reversed, twice]) await stillOpen(trade);

    // A return read before the credit it returns (files are read by name): the credit never pays.
    const returned = await credit(returnedFirst);
    deliverStatement(
      folder,
      "r1-return.xml",
      notification("unused", { ...returned, bankReference: "BANK-RETURN-0", reversal: "true" }),
    );
    deliverStatement(folder, "r2-credit.xml", notification("unused", returned));
    const late = (await daemon.fileEvents("r2-credit.xml")).find((e) => e.kind === "unmatched");
    assert.equal(late?.reason, "Reversed");
    assert.equal(late?.detail, "a reversal or return read earlier names it");
    await stillOpen(returnedFirst);

    // A return that arrives after the attestation: released already, so an alert, loudly.
    const paid = await credit(later);
    deliverStatement(folder, "later-1.xml", notification("unused", paid));
    await daemon.waitFor((e) => e.kind === "released" && e.trade === later);
    deliverStatement(
      folder,
      "later-2.xml",
      notification("unused", { ...paid, bankReference: "BANK-RETURN-2", reversal: "true" }),
    );
    const alert = await daemon.waitFor((e) => e.kind === "alert");
    assert.equal(alert.trade, later);
    assert.match(
      String(alert.detail),
      /names the credit of trade .*, which was attested \(released\)/,
    );
    await daemon.waitForStderr(/ALERT: a reversal in later-2\.xml/);
    // The end-of-day statement repeats the return: listed again, but no second alert.
    deliverStatement(
      folder,
      "later-3.xml",
      statement("unused", { ...paid, bankReference: "BANK-RETURN-2", reversal: "true" }),
    );
    assert.deepEqual(
      (await daemon.fileEvents("later-3.xml")).map((e) => e.kind),
      ["read", "reversal"],
    );
    assert.equal(daemon.events.filter((e) => e.kind === "alert").length, 1);

    // A return naming the payment by the bank's UETR only (no payment reference): alert too.
    const uetr = "0b6a2c3d-4e5f-4a1b-8c9d-0e1f2a3b4c5d";
    const byBank = await paidTrade(22n);
    const bankPaid = await credit(byBank, { uetr });
    deliverStatement(folder, "uetr-1.xml", notification("unused", bankPaid));
    await daemon.waitFor((e) => e.kind === "released" && e.trade === byBank);
    deliverStatement(
      folder,
      "uetr-2.xml",
      notification("unused", {
        ...bankPaid,
        remittance: "Ruecklastung MD06",
        bankReference: "BANK-RETURN-3",
        reversal: "true",
      }),
    );
    const bankAlert = await daemon.waitFor((e) => e.kind === "alert" && e.trade === byBank);
    assert.match(
      String(bankAlert.detail),
      /names the credit of trade .*, which was attested \(released\)/,
    );

    const shown = report(ledger);
    assert.deepEqual(
      shown.unmatched.map((c) => c.reason),
      [
        "AmountMismatch",
        "CurrencyMismatch",
        "NoReference",
        "Reversed",
        "SeveralReferences",
        "Reversed",
      ],
    );
    assert.deepEqual(
      shown.alerts.map((a) => a.trade),
      [later, byBank],
    );
    assert.equal(shown.reversals.length, 4);
    const human = cli("attestor", "report", "--ledger", ledger);
    assert.match(human.stdout, /credits that matched nothing \(6\), to handle by hand:/);
    assert.match(
      human.stdout,
      /9\.99 USD booked .*: AmountMismatch: 9\.99 credited, the trade owes 10\.00/,
    );
    assert.match(human.stdout, /alerts \(2\):\n .* trade /);
  } finally {
    await daemon.stop();
  }
});

test("malformed, truncated and non-camt files are refused by name, attest nothing and stop nothing", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "files.sqlite");
  const trade = await paidTrade(15n);
  const good = notification(paymentReference(trade), await credit(trade));
  deliverStatement(folder, "malformed.xml", good.replace("</Ntry>", "</Entry>"));
  deliverStatement(folder, "truncated.xml", good.slice(0, Math.floor(good.length / 2)));
  deliverStatement(
    folder,
    "other.xml",
    `<?xml version="1.0"?><Invoice><Total>15.00</Total></Invoice>`,
  );
  deliverStatement(
    folder,
    "deep.xml",
    `<?xml version="1.0"?>${"<a>".repeat(200)}${"</a>".repeat(200)}`,
  );
  deliverStatement(folder, "latin1.xml", `<?xml version="1.0" encoding="ISO-8859-2"?><Document/>`);
  symlinkSync(join(folder, "gone.xml"), join(folder, "dangling.xml"));
  // The bank's good file, read after all of them, still releases its trade.
  deliverStatement(folder, "zz-good.xml", good);
  const daemon = new Daemon(folder, ledger, desk.chain.url, "--once");
  assert.equal(await daemon.exit, 0, daemon.stderr);
  const refused = daemon.events
    .filter((e) => e.kind === "refused")
    .map((e) => [e.file, e.name, String(e.message).split(":")[0]]);
  assert.deepEqual(refused, [
    ["deep.xml", "MalformedXml", "deep.xml"],
    ["latin1.xml", "MalformedXml", "latin1.xml"],
    ["malformed.xml", "MalformedXml", "malformed.xml"],
    ["other.xml", "NotCamt", "other.xml"],
    ["truncated.xml", "MalformedXml", "truncated.xml"],
  ]);
  assert.deepEqual(
    daemon.events.filter((e) => e.kind === "unreadable").map((e) => e.file),
    ["dangling.xml"],
  );
  await daemon.waitFor((e) => e.kind === "released" && e.trade === trade);
  assert.deepEqual(
    report(ledger)
      .refusedFiles.map((f) => f.file)
      .sort(),
    ["deep.xml", "latin1.xml", "malformed.xml", "other.xml", "truncated.xml"],
  );
  assert.deepEqual(
    report(ledger).unreadable.map((f) => f.file),
    ["dangling.xml"],
  );
  // The ledger is this folder's: another folder's attestor is refused it.
  const other = cli(...runArgs(mkdtempSync(join(work, "inbox-")), ledger), "--once");
  assert.equal(other.status, 1);
  assert.match(
    other.stderr,
    /LedgerError: this ledger is the one of folder .*: give each attestor and folder its own --ledger/,
  );
});

test("--dry-run shows the match and signs, relays and records nothing", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "dry.sqlite");
  const trade = await paidTrade(16n);
  deliverStatement(folder, "dry.xml", notification(paymentReference(trade), await credit(trade)));
  const dry = (...extra: string[]) =>
    cli(...runArgs(folder, ledger), "--dry-run", "--once", ...extra);
  const result = dry();
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`would attest trade ${trade}: 16\\.00 USD with`));
  // Credits to another account than the seller's never pay (IBANs compare without spaces).
  assert.match(
    dry("--account", "DE02 1203 0000 0000 2020 51").stdout,
    /no trade for 16\.00 USD .*: OtherAccount: credited to DE89370400440532013000, not an account served/,
  );
  assert.match(dry("--account", "de89 3704 0044 0532 0130 00").stdout, /would attest trade/);
  await stillOpen(trade);
  assert.equal(existsSync(ledger), false, "a dry run writes no ledger");
});

test("option mistakes are usage errors and write no ledger; an account that is no offer is ignored", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "mistakes.sqlite");
  const refused = (...extra: string[]) => {
    const result = cli(...runArgs(folder, ledger), "--once", ...extra);
    assert.equal(existsSync(ledger), false, `${extra.join(" ")} wrote a ledger`);
    return result;
  };
  // An empty list (an unset variable) never widens the service to every seller or account.
  for (const [option, value] of [
    ["--seller", ""],
    ["--seller", " , "],
    ["--offer", ","],
    ["--account", ""],
  ]) {
    const result = refused(option, value);
    assert.equal(result.status, 2, `${option} "${value}"`);
    assert.match(result.stderr, new RegExp(`error: ${option} is empty: leave it out to serve all`));
  }
  const file = join(folder, "statement.xml");
  deliverStatement(folder, "statement.xml", "<Document/>");
  const notFolder = cli(...runArgs(file, ledger), "--once");
  assert.equal(notFolder.status, 2);
  assert.match(notFolder.stderr, /error: --folder .*statement\.xml is not a folder/);
  assert.equal(existsSync(ledger), false);
  const badKey = refused("--keypair", join(work, "no-such-key.json"));
  assert.equal(badKey.status, 1);
  // A mint's and a trade's address as offers: ignored like a closed offer, the offer still served.
  const trade = await paidTrade(15n);
  const served = cli(
    ...runArgs(mkdtempSync(join(work, "inbox-")), join(work, "mint-offer.sqlite")),
    "--offer",
    `${offer},${desk.usd.address},${trade}`,
    "--once",
    "--json",
  );
  assert.equal(served.status, 0, served.stderr);
  const serving = JSON.parse(served.stdout.split("\n")[0]) as {
    offers: string[];
    ignored: { offer: string; attestor: string }[];
  };
  assert.deepEqual(serving.offers, [offer]);
  assert.deepEqual(serving.ignored, [
    { offer: desk.usd.address, attestor: "none: no such offer" },
    { offer: trade, attestor: "none: no such offer" },
  ]);
});

/**
 * A JSON-RPC proxy in front of the local chain. `sendTransaction` is never answered under
 * "swallow" (not sent on: a crash after signing) and "send" (sent on: a crash after relaying,
 * before the ledger heard of it); with a `gate`, it is held until the gate opens, then sent and
 * answered. `held` resolves when the first one arrives (under "send": once the chain took it).
 */
async function proxy(
  mode: "swallow" | "send" | { gate: Promise<void> },
): Promise<{ url: string; server: Server; held: Promise<void> }> {
  let arrived = () => {};
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks).toString();
      const method = (JSON.parse(body) as { method?: string }).method;
      const forward = () =>
        fetch(desk.chain.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
      if (method === "sendTransaction") {
        if (mode === "swallow") return arrived();
        if (mode === "send") {
          await forward();
          return arrived();
        }
        arrived();
        await mode.gate;
      }
      const answer = await forward();
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, server, held };
}

test("a buyer marking paid while the release is on its way: signed again, released", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "race.sqlite");
  // Taken, not marked paid: the attestation covers an empty payment reference hash.
  const trade = (await desk.client.takeOffer(desk.keys.buyer, offer, 21n * TOKEN)).address!;
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const relay = await proxy({ gate });
  const daemon = new Daemon(folder, ledger, relay.url);
  try {
    await daemon.waitFor((e) => e.kind === "serving");
    deliverStatement(folder, "pay.xml", notification(paymentReference(trade), await credit(trade)));
    await relay.held;
    // The buyer's mark lands first; the attestation on its way covers the old hash.
    await desk.client.markPaid(desk.keys.buyer, trade, await hashText(paymentReference(trade)));
    open();
    const retry = await daemon.waitFor((e) => e.kind === "retry" && e.trade === trade);
    assert.equal(retry.error, "the trade changed; signing again");
    await daemon.waitFor((e) => e.kind === "released" && e.trade === trade);
    assert.ok(await released(trade));
  } finally {
    await daemon.stop();
    relay.server.closeAllConnections();
    relay.server.close();
  }
  assert.deepEqual(
    report(ledger).attestations.map((a) => [a.trade, a.status]),
    [[trade, "released"]],
  );
});

for (const mode of ["swallow", "send"] as const) {
  test(`a crash between signing and ${mode === "swallow" ? "relaying" : "recording the relay"} recovers on the next start`, async () => {
    const folder = mkdtempSync(join(work, "inbox-"));
    const ledger = join(work, `crash-${mode}.sqlite`);
    const trade = await paidTrade(mode === "swallow" ? 17n : 18n);
    const stuck = await proxy(mode);
    const first = new Daemon(folder, ledger, stuck.url);
    try {
      await first.waitFor((e) => e.kind === "serving");
      deliverStatement(
        folder,
        "pay.xml",
        notification(paymentReference(trade), await credit(trade)),
      );
      await first.waitFor((e) => e.kind === "matched" && e.trade === trade);
      // Signed and written to the ledger (a relay follows the record); the relay hangs, swallowed
      // or sent without an answer. Then the process dies.
      await stuck.held;
      await first.kill();
    } finally {
      stuck.server.closeAllConnections();
      stuck.server.close();
    }
    const reading = new Ledger(ledger);
    assert.deepEqual(
      reading.attestations().map((a) => [a.trade, a.status]),
      [[trade, "signed"]],
    );
    reading.close();
    assert.equal(await released(trade), mode === "send");

    const second = new Daemon(folder, ledger, desk.chain.url);
    try {
      const done = await second.waitFor((e) => e.kind === "released" && e.trade === trade);
      assert.match(
        String(done.detail),
        mode === "send" ? /its relay had landed/ : /released on the attestation of credit/,
      );
      assert.ok(await released(trade));
      // The file is not read again; the trade was attested once.
      assert.equal(second.events.filter((e) => e.kind === "read").length, 0);
    } finally {
      await second.stop();
    }
    assert.deepEqual(
      report(ledger).attestations.map((a) => [a.trade, a.status]),
      [[trade, "released"]],
    );
  });
}

test("a return read before the relay withholds the attestation: never relayed, said loudly", async () => {
  const folder = mkdtempSync(join(work, "inbox-"));
  const ledger = join(work, "withheld.sqlite");
  const trade = await paidTrade(23n);
  const paid = await credit(trade);
  const stuck = await proxy("swallow");
  const first = new Daemon(folder, ledger, stuck.url);
  try {
    await first.waitFor((e) => e.kind === "serving");
    deliverStatement(folder, "pay.xml", notification(paymentReference(trade), paid));
    await stuck.held;
    await first.kill();
  } finally {
    stuck.server.closeAllConnections();
    stuck.server.close();
  }
  deliverStatement(
    folder,
    "return.xml",
    notification("unused", { ...paid, bankReference: "BANK-RETURN-4", reversal: "true" }),
  );
  const second = new Daemon(folder, ledger, desk.chain.url);
  try {
    const alert = await second.waitFor((e) => e.kind === "alert");
    assert.match(String(alert.detail), /its attestation was signed but is withheld, never relayed/);
    await second.waitForStderr(/ALERT: a reversal in return\.xml/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(second.events.filter((e) => e.kind === "released").length, 0);
    await stillOpen(trade);
  } finally {
    await second.stop();
  }
  assert.deepEqual(
    report(ledger).attestations.map((a) => [a.trade, a.status]),
    [[trade, "withheld"]],
  );
});
