/**
 * Every `p2p-escrow` subcommand, run as the built binary against the local chain: human and
 * `--json` output, exit statuses, progress on stderr, and refusals that print the program's error
 * name and message.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  formatAmount,
  getOffer,
  getTrade,
  hashText,
  paymentReference,
  tokenAccountAddress,
  TradeState,
  type Address,
} from "@p2p-escrow/sdk";
import { setFrozen, startDesk, TOKEN, type Desk, type Role } from "@p2p-escrow/testing";

/** The built binary (`npm run build`). */
const BIN = fileURLToPath(new URL("../dist/p2p-escrow.mjs", import.meta.url));

let desk: Desk;
let work: string;
before(async () => {
  desk = await startDesk();
  work = mkdtempSync(join(tmpdir(), "p2p-escrow-cli-"));
});
after(async () => {
  await desk.chain.stop();
});

type Run = { status: number; stdout: string; stderr: string };

function run(role: Role | null, ...args: string[]): Run {
  const keypair = role ? ["--keypair", join(desk.keyDir, `${role}.json`)] : [];
  const result = spawnSync(process.execPath, [BIN, ...args, "--url", desk.chain.url, ...keypair], {
    encoding: "utf8",
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function ok(role: Role | null, ...args: string[]): string {
  const result = run(role, ...args);
  assert.equal(result.status, 0, `p2p-escrow ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

function json<T = Record<string, unknown>>(role: Role | null, ...args: string[]): T {
  return JSON.parse(ok(role, ...args, "--json")) as T;
}

function offerArgs(extra: string[] = []): string[] {
  return [
    "create-offer",
    "--mint",
    desk.usd.address,
    "--amount",
    "1000",
    "--price",
    "1.05",
    "--currency",
    "EUR",
    "--min",
    "10",
    "--max",
    "500",
    "--arbiter",
    desk.keys.arbiter.address,
    "--attestor",
    desk.keys.attestor.address,
    "--payment-window",
    "30m",
    "--release-window",
    "1h",
    "--payment-terms",
    "SEPA",
    ...extra,
  ];
}

async function paidTrade(offer: Address, reference: string): Promise<Address> {
  const trade = json<{ trade: Address }>("buyer", "take", offer, "100").trade;
  ok("buyer", "mark-paid", trade, "--reference", reference);
  return trade;
}

test("help, unknown commands and usage mistakes exit 2 with the usage", () => {
  const help = run(null, "--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: p2p-escrow <command>/);
  const unknown = run(null, "frobnicate");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const missing = run("buyer", "take");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing <offer>\nusage: p2p-escrow take <offer> <amount>/);
  const badAddress = run("buyer", "take", "not-an-address", "1");
  assert.equal(badAddress.status, 2);
  assert.match(badAddress.stderr, /"not-an-address" is not a valid address/);
  // Each command takes its own options only: an option of another command is refused.
  const foreign = run("buyer", "take", "11111111111111111111111111111111", "1", "--price", "2");
  assert.equal(foreign.status, 2);
  assert.match(foreign.stderr, /Unknown option '--price'/);
  assert.match(foreign.stderr, /usage: p2p-escrow take <offer> <amount>/);
  const takeHelp = run(null, "take", "--help");
  assert.equal(takeHelp.status, 0);
  assert.match(takeHelp.stdout, /usage: p2p-escrow take <offer> <amount>\n/);
  assert.match(takeHelp.stdout, /options: none of its own/);
  assert.match(run(null, "create-offer", "--help").stdout, /options: .*--payment-window VALUE/);
  // Options may stand before the command; values that are not amounts are usage mistakes.
  const before = run(null, "--to", desk.keys.buyer.address, "airdrop", "1.0000000001");
  assert.equal(before.status, 2);
  assert.match(before.stderr, /"1.0000000001" has more than 9 decimals/);
  assert.match(before.stderr, /usage: p2p-escrow airdrop <sol>/);
  assert.equal(run(null, "--count", "x", "watch").status, 2);
  assert.equal(run("admin", "update-config").status, 2);
  assert.match(run("admin", "update-config").stderr, /name at least one setting/);
  // Numbers are digits only, within what the chain can hold: a blank is never read as 0.
  for (const args of [
    ["rule", "11111111111111111111111111111111", "--buyer-bps="],
    ["rule", "11111111111111111111111111111111", "--buyer-bps", "0x10"],
    ["airdrop", "99999999999999999999"],
    ["advance-clock", "999999999999999999999d"],
    ["create-mint", "--decimals="],
  ]) {
    const refused = run("admin", ...args);
    assert.equal(refused.status, 2, `${args.join(" ")}: ${refused.stderr}`);
    assert.match(refused.stderr, /usage: p2p-escrow/);
  }
  // An argument no command takes is refused before anything is sent.
  const extra = run("admin", "pause", "offers");
  assert.equal(extra.status, 2);
  assert.match(extra.stderr, /unexpected argument "offers"\nusage: p2p-escrow pause/);
  assert.match(
    run(null, "arbiter", desk.keys.arbiter.address, "x").stderr,
    /unexpected argument "x"/,
  );
  const badKeypair = run(null, "address", "--keypair", join(work, "missing.json"));
  assert.equal(badKeypair.status, 1);
  assert.match(badKeypair.stderr, /cannot read the keypair file/);
});

test("keygen, address, airdrop, balance, create-mint, mint-to", () => {
  const path = join(work, "new.json");
  const created = json<{ address: string }>(null, "keygen", path).address;
  assert.equal(ok(null, "address", "--keypair", path).trim(), created);
  const again = run(null, "keygen", path);
  assert.equal(again.status, 1, "keygen never overwrites a keypair");
  assert.match(
    again.stderr,
    /^error: KeypairFileError: .* already exists: a keypair file is never overwritten/,
  );
  const airdrop = run(null, "airdrop", "2", "--to", created);
  assert.equal(airdrop.status, 0);
  assert.match(airdrop.stdout, /airdropped 2 SOL/);
  assert.match(ok(null, "balance", "--owner", created), /: 2 SOL/);
  const mint = json<{ address: Address; tokenProgram: string }>(
    null,
    "create-mint",
    "--keypair",
    path,
    "--decimals",
    "4",
    "--transfer-fee-bps",
    "25",
    "--transfer-fee-max",
    "1",
  );
  assert.equal(mint.tokenProgram, "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
  assert.match(
    ok(null, "mint-to", mint.address, created, "12.5", "--keypair", path),
    /minted 12.5 to/,
  );
  const balance = json<{ tokens: string }>(
    null,
    "balance",
    "--owner",
    created,
    "--mint",
    mint.address,
  );
  assert.equal(balance.tokens, "125000");
});

test("config and arbiter show the protocol settings and an arbiter's record", () => {
  assert.match(ok(null, "config"), /protocol fee 0\.5% \(collected in each mint's fee vault\)/);
  assert.match(ok(null, "arbiter", desk.keys.arbiter.address), /active  fee 2%/);
  const missing = run(null, "arbiter", desk.keys.stranger.address);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /error: ArbiterNotFound: .* is not a registered arbiter/);
});

test("a seller's offer: create, list, deposit, pause, resume, withdraw, close", async () => {
  const created = json<{ offer: Address; events: { name: string }[] }>("seller", ...offerArgs());
  assert.equal(created.events[0].name, "offerCreated");
  const offer = created.offer;
  // --json: the currency as its code, amounts in base units and as people read them.
  const [asJson] = json<
    { address: string; available: string; terms: { fiatCurrency: string }; display: object }[]
  >(null, "offers", "--seller", desk.keys.seller.address);
  assert.equal(asJson.address, offer);
  assert.equal(asJson.terms.fiatCurrency, "EUR");
  const available = (await getOffer(desk.rpc, offer)).available;
  assert.equal(asJson.available, String(available));
  assert.deepEqual(asJson.display, {
    available: formatAmount(available, 6),
    locked: "0",
    minTradeAmount: "10",
    maxTradeAmount: "500",
    price: "1.05 EUR",
    buyerBond: `${formatAmount((await getOffer(desk.rpc, offer)).terms.buyerBond, 9)} SOL`,
  });
  const listed = ok(null, "offers", "--seller", desk.keys.seller.address);
  assert.match(listed, new RegExp(`offer ${offer}  #\\d+  open`));
  assert.match(listed, /price 1.05 EUR per token  limits 10–500/);
  assert.match(
    ok(
      null,
      "offers",
      "--mint",
      desk.usd.address,
      "--arbiter",
      desk.keys.arbiter.address,
      "--status",
      "open",
    ),
    new RegExp(offer),
  );
  ok("seller", "deposit", offer, "5");
  assert.match(ok("seller", "pause-offer", offer), /paused/);
  assert.match(ok(null, "offers", "--status", "paused"), new RegExp(offer));
  assert.match(ok("seller", "resume-offer", offer), /open/);
  assert.match(ok("seller", "withdraw", offer, "100"), /withdrew 100/);
  assert.equal((await getOffer(desk.rpc, offer)).available, 900n * TOKEN - 50_000n);
  assert.match(ok("seller", "close-offer", offer), /closed/);
  assert.match(ok(null, "offers", "--seller", desk.keys.seller.address), /no offers/);
});

test("a wrong signer sees the program's error name and message, exit status 1", () => {
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const refused = run("stranger", "withdraw", offer, "1");
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /error: NotSeller: Only the offer's seller can do this \(error 6014\)/,
  );
  const asJson = run("stranger", "withdraw", offer, "1", "--json");
  // One line, as it may follow a long-running command's JSON lines.
  assert.match(asJson.stdout, /^[^\n]*\n$/);
  assert.deepEqual(JSON.parse(asJson.stdout), {
    error: { name: "NotSeller", message: "Only the offer's seller can do this", code: 6014 },
  });
});

test("a trade: take, trades, mark-paid, release, with progress until confirmed", async () => {
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const take = run("buyer", "take", offer, "100");
  assert.equal(take.status, 0);
  assert.match(take.stdout, /pay 105.00 EUR by/);
  assert.match(take.stderr, /sending \w+…\n(confirming .*\n)?confirmed \w+ in slot \d+/);
  const trade = /trade (\w+) reserves/.exec(take.stdout)![1] as Address;
  for (const filter of [
    ["--buyer", desk.keys.buyer.address],
    ["--offer", offer],
    ["--state", "locked"],
    ["--seller", desk.keys.seller.address],
    ["--mint", desk.usd.address],
    ["--arbiter", desk.keys.arbiter.address],
  ]) {
    assert.match(ok(null, "trades", ...filter), new RegExp(`trade ${trade}`));
  }
  ok("buyer", "mark-paid", trade, "--reference", "SEPA-42");
  assert.equal((await getTrade(desk.rpc, trade)).state, TradeState.Paid);
  assert.match(ok("seller", "release", trade), /released/);
  const timeline = ok(null, "trade", trade);
  assert.match(timeline, /closed\ntimeline:\n.*tradeTaken.*\n.*tradePaid.*\n.*tradeReleased/);
});

test("a payout a frozen account cannot take waits for claim; the admin withdraws fees", async () => {
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const trade = json<{ trade: Address }>("buyer2", "take", offer, "10").trade;
  ok("buyer2", "mark-paid", trade, "--reference", "SEPA-7");
  await setFrozen(desk, desk.keys.buyer2.address, true);
  assert.match(
    ok("seller", "release", trade),
    /could not receive: \d+ base units .* for `p2p-escrow claim`/,
  );
  assert.match(ok(null, "trade", trade), /settled/);
  assert.match(ok(null, "trades", "--state", "settled"), new RegExp(`trade ${trade}`));
  const stranger = run("stranger", "claim", trade);
  assert.equal(stranger.status, 1);
  assert.match(stranger.stderr, /error: NotBuyer: /);
  await setFrozen(desk, desk.keys.buyer2.address, false);
  assert.match(ok("buyer2", "claim", trade), /claimed what waited/);
  assert.match(ok(null, "trade", trade), /closed/);

  const refused = run(
    "stranger",
    "withdraw-fees",
    "--mint",
    desk.usd.address,
    "--amount",
    "0.01",
    "--destination",
    desk.keys.stranger.address,
  );
  assert.equal(refused.status, 1);
  const admin = ok(
    "admin",
    "withdraw-fees",
    "--mint",
    desk.usd.address,
    "--amount",
    "0.01",
    "--destination",
    await tokenAccountAddress(desk.keys.seller.address, desk.usd.address, desk.usd.tokenProgram),
  );
  assert.match(admin, /withdrew 0.01 of fees/);
});

test("cancel and expire end unpaid trades; a take the seller never answers expires with the bond back", () => {
  const answered = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const unanswered = json<{ trade: Address }>("buyer", "take", answered, "10").trade;
  const waiting = run("stranger", "expire", unanswered);
  assert.equal(waiting.status, 1);
  assert.match(waiting.stderr, /error: ResponseDeadlineNotReached: /);
  assert.match(ok(null, "trade", unanswered), /waiting for the seller's payment details until/);
  assert.match(ok(null, "advance-clock", "16m"), /clock moved 16m/);
  assert.match(ok("stranger", "expire", unanswered), /expired unanswered: .*bond went back/);

  const offer = json<{ offer: Address }>("seller", ...offerArgs(["--response-window", "0"])).offer;
  const first = json<{ trade: Address }>("buyer", "take", offer, "10").trade;
  assert.match(ok("buyer", "cancel", first), /cancelled/);
  const second = json<{ trade: Address }>("buyer2", "take", offer, "10").trade;
  const early = run("stranger", "expire", second);
  assert.equal(early.status, 1);
  assert.match(early.stderr, /error: PaymentDeadlineNotReached: /);
  assert.match(ok(null, "advance-clock", "31m"), /clock moved 31m/);
  assert.match(ok("stranger", "expire", second), /expired/);
});

test("attest: a payment service signs, relays, or hands the attestation to a relayer", async () => {
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const trade = await paidTrade(offer, "SEPA-1");
  const wrong = run("attestor", "attest", trade, "--reference", "SEPA-2");
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /PaymentReferenceMismatch/);
  const signed = json<{
    signature: string;
    attestor: string;
    message: string;
    digest: string;
    signed: string;
  }>("attestor", "attest", trade, "--reference", "SEPA-1");
  // Format v2: the attestor signs the domain and the SHA-256 digest of the 189-byte message.
  assert.ok(signed.message.startsWith(Buffer.from("p2p-escrow:release:v2").toString("hex")));
  assert.equal(signed.message.length, 189 * 2);
  assert.equal(
    signed.digest,
    createHash("sha256").update(Buffer.from(signed.message, "hex")).digest("hex"),
  );
  assert.equal(signed.signed, Buffer.from("p2p-escrow:release:v2").toString("hex") + signed.digest);
  const forged = run(
    "stranger",
    "release-attested",
    trade,
    "--attestor",
    desk.keys.stranger.address,
    "--signature",
    signed.signature,
  );
  assert.equal(forged.status, 1);
  assert.match(
    forged.stderr,
    /error: InvalidSignature: the attestation.s signature does not verify for this attestor \(error 2\)/,
  );
  assert.match(
    ok(
      "stranger",
      "release-attested",
      trade,
      "--attestor",
      signed.attestor,
      "--signature",
      signed.signature,
    ),
    /released on the attestation/,
  );
  const second = await paidTrade(offer, "SEPA-3");
  assert.match(
    ok("attestor", "attest", second, "--reference", "SEPA-3", "--relay"),
    /released on the attestation/,
  );
});

test("disputes: dispute, evidence, rule, settle, escalate", async () => {
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const evidence = join(work, "receipt.txt");
  writeFileSync(evidence, "bank receipt");
  const ruled = await paidTrade(offer, "SEPA-10");
  ok("seller", "dispute", ruled);
  const submitted = json<{ evidenceHash: string }>(
    "buyer",
    "evidence",
    ruled,
    "--file",
    evidence,
    "--uri",
    "https://e.example/1",
  );
  assert.equal(submitted.evidenceHash, Buffer.from(await hashText("bank receipt")).toString("hex"));
  assert.match(
    ok(null, "trades", "--arbiter", desk.keys.arbiter.address, "--state", "disputed"),
    new RegExp(ruled),
  );
  const notArbiter = run("fallbackArbiter", "rule", ruled, "--buyer-bps", "7000");
  assert.equal(notArbiter.status, 1);
  assert.match(notArbiter.stderr, /error: NotTradeArbiter: /);
  assert.equal(run("arbiter", "rule", ruled, "--buyer-bps", "10001").status, 2);
  assert.match(ok("arbiter", "rule", ruled, "--buyer-bps", "7000"), /ruled 70% to the buyer/);
  assert.match(ok(null, "trade", ruled), /disputeResolved .*buyerBps=7000 toBuyer=68600000/);

  const settled = await paidTrade(offer, "SEPA-11");
  ok("seller", "dispute", settled);
  assert.match(
    ok(
      "buyer",
      "settle",
      settled,
      "--buyer-bps",
      "5000",
      "--counterparty",
      join(desk.keyDir, "seller.json"),
    ),
    /settled 50% to the buyer/,
  );

  const escalated = await paidTrade(offer, "SEPA-12");
  ok("seller", "dispute", escalated);
  assert.match(ok(null, "trade", escalated), /disputed[\s\S]*arbiter in charge/);
  ok(null, "advance-clock", "2d");
  ok(null, "advance-clock", "1s");
  assert.match(ok("stranger", "escalate", escalated), /escalated/);
  assert.match(
    ok(null, "trades", "--arbiter", desk.keys.fallbackArbiter.address),
    new RegExp(escalated),
  );
});

test("watch prints events as they happen", async () => {
  const watcher = spawn(process.execPath, [
    BIN,
    "watch",
    "--count",
    "2",
    "--interval",
    "100",
    "--url",
    desk.chain.url,
  ]);
  let stdout = "";
  watcher.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  ok("seller", "pause-offer", offer);
  // "close": exited, and stdout read to its end.
  const status = await new Promise<number | null>((resolve) => watcher.once("close", resolve));
  assert.equal(status, 0);
  assert.match(stdout, /^slot \d+  offerCreated .*\nslot \d+  offerStatusChanged /);
});

test("the room: details set and show, watch --send-details answers a take, chat; negotiated endings", async () => {
  const file = join(work, "payment-details.json");
  const details = "IBAN DE89 3704 0044 0532 0130 00, Jane Seller";
  ok("seller", "details", "set", "SEPA", details, "--details-file", file);
  assert.equal(statSync(file).mode & 0o777, 0o600, "the details file is its owner's only");
  assert.match(ok("seller", "details", "show", "--details-file", file), /^SEPA: IBAN DE89/);
  assert.equal(run("seller", "details", "show", "SWIFT", "--details-file", file).status, 2);
  ok("seller", "details", "set", "SWIFT", "BIC DEUTDEFF", "--details-file", file);
  assert.match(ok("seller", "details", "remove", "SWIFT", "--details-file", file), /removed/);
  assert.equal(run("seller", "details", "remove", "SWIFT", "--details-file", file).status, 2);
  assert.equal(
    run("seller", "details", "set", "SEPA", "x".repeat(600), "--details-file", file).status,
    2,
  );

  // A response window needs a named payment method, whose details the seller sends.
  const unnamed = offerArgs().filter(
    (a, i, all) => a !== "--payment-terms" && all[i - 1] !== "--payment-terms",
  );
  assert.match(run("seller", ...unnamed).stderr, /name the payment method/);
  const offer = json<{ offer: Address }>("seller", ...offerArgs()).offer;
  const watcher = spawn(process.execPath, [
    BIN,
    "watch",
    "--send-details",
    "--details-file",
    file,
    "--interval",
    "100",
    "--json",
    "--url",
    desk.chain.url,
    "--keypair",
    join(desk.keyDir, "seller.json"),
  ]);
  let stdout = "";
  let stderr = "";
  watcher.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  watcher.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise((resolve) => watcher.once("close", resolve));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const trade = json<{ trade: Address }>("buyer", "take", offer, "100").trade;
    const answered = new RegExp(`sent the SEPA details to trade ${trade}`);
    // The answer's line, then its own transaction's events (the take may predate the watch).
    const done = () => answered.test(stdout) && stdout.includes('"paymentWindowStarted"');
    for (let waited = 0; !done() && waited < 30_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // JSON lines: every whole line one record, the events and the details sent alike.
    const records = stdout
      .split("\n")
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { details?: string; event?: { name: string } });
    assert.ok(
      records.some((r) => answered.test(r.details ?? "")),
      stdout,
    );
    assert.ok(
      records.some((r) => r.event?.name === "paymentWindowStarted"),
      stdout,
    );
    const read = ok("buyer", "chat", "read", trade);
    assert.match(read, /seller \w+  PaymentDetails: IBAN DE89/);
    assert.ok(read.includes(`Payment reference: ${paymentReference(trade)}`), read);
    assert.match(ok(null, "trade", trade), /payment details posted/);
    assert.ok(ok(null, "trade", trade).includes(`payment reference ${paymentReference(trade)}`));
    ok(
      "buyer",
      "chat",
      "send",
      trade,
      "paying from DE44 5001 0517 5407 3249 31",
      "--kind",
      "payer",
    );
    ok("buyer", "mark-paid", trade, "--reference", "SEPA-20");

    assert.match(
      ok("seller", "propose", trade, "40"),
      /buyer gets [\d.]+ \(fee [\d.]+\), 60 back to the offer, the bond back to the buyer/,
    );
    assert.match(run("seller", "accept", trade, "40").stderr, /error: OwnProposal: /);
    assert.match(
      run("buyer", "accept", trade, "30").stderr,
      /the proposal on chain gives the buyer 40 tokens, not 30/,
    );
    assert.match(run("buyer", "withdraw-proposal", trade).stderr, /error: NotProposer: /);
    ok("seller", "withdraw-proposal", trade);
    assert.equal(run("buyer", "accept", trade, "40").status, 2, "no proposal to accept");
    ok("buyer", "propose", trade, "0");
    assert.match(ok(null, "trade", trade), /proposal by \w+: 0 tokens to the buyer/);
    const before = (await getOffer(desk.rpc, offer)).available;
    assert.match(ok("seller", "accept", trade, "0"), /cancel: all 100 tokens back to the offer/);
    assert.equal((await getOffer(desk.rpc, offer)).available, before + 100n * TOKEN);
  } finally {
    watcher.kill();
    await closed;
  }
  // Stderr is for failures: the answer is a line, not progress lines.
  assert.doesNotMatch(stderr, /signing…|sending |confirmed /);
});

test("the admin pauses, resumes, changes the settings and the arbiters, and hands over", () => {
  const admin = (...args: string[]) => ok("admin", ...args);
  assert.match(admin("pause"), /new offers paused, new trades paused/);
  assert.match(ok(null, "config"), /new offers paused, new trades paused/);
  const again = run("admin", "pause");
  assert.equal(again.status, 1);
  assert.match(again.stderr, /PauseUnchanged: The protocol is already paused that way/);
  const stranger = run("buyer", "resume");
  assert.equal(stranger.status, 1);
  assert.match(stranger.stderr, /NotAdmin/);
  assert.match(admin("resume", "--only", "trades"), /new offers paused, new trades open/);
  assert.match(admin("resume"), /new offers open, new trades open/);
  assert.equal(run("admin", "pause", "--only", "everything").status, 2);

  assert.match(admin("update-config", "--fee-bps", "60"), /protocol fee 0\.6%/);
  assert.match(ok(null, "config"), /protocol fee 0\.6%.*\n.*ruling window 2d/);
  admin("update-config", "--fee-bps", "50");

  const arbiter = desk.keys.arbiter.address;
  assert.match(admin("update-arbiter", arbiter, "--active", "false"), /inactive/);
  assert.match(ok(null, "arbiter", arbiter), /inactive  fee 2%/);
  assert.match(admin("update-arbiter", arbiter, "--active", "true"), /fee 2%, active/);
  const fresh = join(work, "new-arbiter.json");
  const authority = json<{ address: string }>(null, "keygen", fresh).address;
  assert.match(admin("register-arbiter", authority, "--fee-bps", "150"), /at 1\.5%/);

  const next = join(work, "next-admin.json");
  const nextAdmin = json<{ address: string }>(null, "keygen", next).address;
  ok(null, "airdrop", "1", "--to", nextAdmin);
  assert.match(admin("propose-admin", nextAdmin), /must run accept-admin/);
  assert.match(
    ok(null, "accept-admin", "--keypair", next),
    new RegExp(`${nextAdmin} is the admin`),
  );
  ok(null, "propose-admin", desk.keys.admin.address, "--keypair", next);
  assert.match(admin("accept-admin"), /is the admin/);
});
