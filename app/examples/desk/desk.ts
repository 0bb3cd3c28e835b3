/**
 * The main job: a real session of the desk on a local chain, driven through the `p2p-escrow`
 * command line exactly as people would type it. It starts the local chain, deploys the config and
 * two arbiters (`p2p-escrow deploy`), creates a Token-2022 stable coin with a 1% transfer fee,
 * and runs four trades on one offer: one paid and released by the seller's payment attestor, which
 * reads the bank's camt.054 notification from a folder, one disputed and ruled 70/30, one left
 * unpaid until it expires, one cancelled by agreement. It prints every command, each
 * trade's timeline and the final balances, and exits 0 only if every balance is what the fees and
 * the split say and every token of the supply is accounted for.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  configAddress,
  getTrade,
  TOKEN_2022_PROGRAM_ADDRESS,
  createEscrowRpc,
  getMintInfo,
  getMintSupply,
  getOffer,
  getTokenBalance,
  paymentReference,
  getMintWithheldFees,
  getWithheldFees,
  formatAmount,
  tokenAccountAddress,
  type Address,
} from "@p2p-escrow/sdk";
import { startLocalChain } from "@p2p-escrow/sdk/node";
import {
  deliverStatement,
  notification,
  statement as endOfDayStatement,
  type TestCredit,
} from "@p2p-escrow/testing";

const repoDir = fileURLToPath(new URL("../../..", import.meta.url));
const chainBin = process.env.P2P_LOCAL_CHAIN_BIN ?? join(repoDir, "target", "debug", "local-chain");
/** The `p2p-escrow` binary of the command-line package (built by `npm run build`). */
const cliPackage = createRequire(import.meta.url).resolve("@p2p-escrow/cli/package.json");
const cliBin = join(
  dirname(cliPackage),
  (JSON.parse(readFileSync(cliPackage, "utf8")) as { bin: Record<string, string> }).bin[
    "p2p-escrow"
  ],
);
/** The local chain's port: P2P_DESK_PORT, or any free one (the chain prints its address). */
const port = process.env.P2P_DESK_PORT ?? "0";
const work = mkdtempSync(join(tmpdir(), "p2p-escrow-desk-"));

const DECIMALS = 6;
const UNIT = 10n ** BigInt(DECIMALS);
const SUPPLY = 10_000n * UNIT;
const FEE_BPS = 50n;
const ARBITER_FEE_BPS = 200n;
const TRANSFER_FEE_BPS = 100n;
const TRANSFER_FEE_MAX = 5n * UNIT;
const BOND_LAMPORTS = 10_000_000n;

function section(title: string) {
  console.log(`\n=== ${title} ===`);
}

/**
 * The command line against the chain at `url` (none for commands that need no chain): `cli` prints
 * the command and its output and returns its stdout, `cliJson` parses its `--json` output.
 */
function commandLine(url: string | null) {
  const cli = (keypair: string, ...args: string[]): string => {
    const shown = ["p2p-escrow", ...args, ...(keypair ? ["--keypair", `${keypair}.json`] : [])];
    console.log(`$ ${shown.join(" ")}`);
    const result = spawnSync(
      process.execPath,
      [
        cliBin,
        ...args,
        ...(url === null ? [] : ["--url", url]),
        ...(keypair ? ["--keypair", join(work, `${keypair}.json`)] : []),
      ],
      { encoding: "utf8" },
    );
    const output = `${result.stdout}`.trimEnd();
    if (output) console.log(output.replace(/^/gm, "  "));
    if (result.status !== 0) {
      throw new Error(`p2p-escrow ${args[0]} failed (${result.status}): ${result.stderr.trim()}`);
    }
    return result.stdout;
  };
  const cliJson = <T>(keypair: string, ...args: string[]): T =>
    JSON.parse(cli(keypair, ...args, "--json")) as T;
  /**
   * A long-running command (`&`): `waitFor` returns the first line of its output `found` accepts
   * (or throws after 30 s), `stop` ends it.
   */
  const background = (keypair: string, ...args: string[]) => {
    console.log(`$ p2p-escrow ${args.join(" ")} --keypair ${keypair}.json &`);
    const child = spawn(
      process.execPath,
      [cliBin, ...args, "--url", url!, "--keypair", join(work, `${keypair}.json`)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (found: (line: string) => boolean, what: string) => {
      for (let waited = 0; waited < 30_000; waited += 200) {
        const line = output.split("\n").find(found);
        if (line) {
          console.log(`  [${keypair}'s ${args[0]}] ${line}`);
          return line;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${keypair}'s ${args[0]}: ${what} did not happen`);
    };
    return { waitFor, stop: () => child.kill("SIGTERM") };
  };
  return { cli, cliJson, background };
}

/** `bps` of `amount`, rounded down, as the program computes it. */
const share = (amount: bigint, bps: bigint) => (amount * bps) / 10_000n;
/** What arrives when `amount` is sent with the mint's transfer fee. */
const afterTransferFee = (amount: bigint) => {
  const fee = (amount * TRANSFER_FEE_BPS + 9_999n) / 10_000n;
  return amount - (fee > TRANSFER_FEE_MAX ? TRANSFER_FEE_MAX : fee);
};

async function main(): Promise<number> {
  section("keys");
  const people = [
    "admin",
    "arbiter",
    "fallback",
    "seller",
    "alice",
    "bob",
    "carol",
    "payments",
    "issuer",
  ];
  const keys: Record<string, Address> = {};
  const { cliJson } = commandLine(null);
  for (const name of people) {
    keys[name] = cliJson<{ address: Address }>("", "keygen", join(work, `${name}.json`)).address;
  }

  section("local chain");
  const chain = await startLocalChain({
    binary: chainBin,
    upgradeAuthority: join(work, "admin.json"),
    port,
    stderr: "inherit",
  });
  console.log(chain.startLine);
  try {
    return await session(chain.url, keys);
  } finally {
    await chain.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function session(url: string, keys: Record<string, Address>): Promise<number> {
  const { cli, cliJson } = commandLine(url);
  for (const name of Object.keys(keys)) cli("", "airdrop", "10", "--to", keys[name]);

  section("deploy: config and arbiters");
  cli(
    "admin",
    "deploy",
    "--fallback-arbiter",
    keys.fallback,
    "--fee-bps",
    String(FEE_BPS),
    "--ruling-window",
    "1d",
    "--register-arbiter",
    `${keys.arbiter}:${ARBITER_FEE_BPS}`,
    "--register-arbiter",
    `${keys.fallback}:${ARBITER_FEE_BPS}`,
  );
  cli("", "config");

  section("a stable coin: Token-2022, 6 decimals, 1% transfer fee capped at 5");
  const mint = cliJson<{ address: Address }>(
    "issuer",
    "create-mint",
    "--decimals",
    String(DECIMALS),
    "--transfer-fee-bps",
    String(TRANSFER_FEE_BPS),
    "--transfer-fee-max",
    "5",
  ).address;
  cli("issuer", "mint-to", mint, keys.seller, "10000");

  section("the seller's offer: 1,000 USDX at 1.00 USD, released by a payment service");
  const offer = cliJson<{ offer: Address }>(
    "seller",
    "create-offer",
    "--mint",
    mint,
    "--amount",
    "1000",
    "--price",
    "1.00",
    "--currency",
    "USD",
    "--min",
    "10",
    "--max",
    "500",
    "--arbiter",
    keys.arbiter,
    "--attestor",
    keys.payments,
    "--bond",
    "0.01",
    "--response-window",
    "15m",
    "--payment-window",
    "30m",
    "--release-window",
    "1h",
    "--payment-terms",
    "SEPA",
  ).offer;
  cli("", "offers", "--mint", mint);

  section("the seller keeps its SEPA details on its machine; its watch answers every take");
  const details = join(work, "payment-details.json");
  cli(
    "seller",
    "details",
    "set",
    "SEPA",
    "SEPA to DE89 3704 0044 0532 0130 00 (Seller GmbH), reference = your trade address",
    "--details-file",
    details,
  );
  const { background } = commandLine(url);
  const watch = background(
    "seller",
    "watch",
    "--send-details",
    "--details-file",
    details,
    "--interval",
    "200",
  );
  const answered = async (trade: Address) => {
    await watch.waitFor((line) => line.includes(`details to trade ${trade}`), `answering ${trade}`);
  };

  section("the payment service reads the seller's bank notifications and releases what they pay");
  const bank = join(work, "bank");
  mkdirSync(bank);
  const ledger = join(work, "attestor.sqlite");
  const attestor = background(
    "payments",
    "attestor",
    "run",
    "--folder",
    bank,
    "--ledger",
    ledger,
    "--seller",
    keys.seller,
    // The seller's account, as its payment details name it: credits to another never pay.
    "--account",
    "DE89 3704 0044 0532 0130 00",
    "--interval",
    "200",
  );
  await attestor.waitFor((line) => line.startsWith("serving"), "serving the offer");
  try {
    return await trading(url, keys, mint, offer, {
      answered,
      attested: (trade) =>
        attestor.waitFor(
          (line) => line.startsWith(`released trade ${trade}`),
          `releasing ${trade}`,
        ),
      bank,
      ledger,
    });
  } finally {
    watch.stop();
    attestor.stop();
  }
}

/** The bank's file `name` in the attestor's folder (`deliverStatement`), said. */
function deliver(bank: string, name: string, xml: string) {
  deliverStatement(bank, name, xml);
  console.log(`  [the bank] ${name} delivered to the seller's statements folder`);
}

async function trading(
  url: string,
  keys: Record<string, Address>,
  mint: Address,
  offer: Address,
  desk: {
    answered: (trade: Address) => Promise<void>;
    attested: (trade: Address) => Promise<string>;
    bank: string;
    ledger: string;
  },
): Promise<number> {
  const { answered } = desk;
  const rpc = createEscrowRpc(url);
  const { cli, cliJson } = commandLine(url);
  /** A credit booked a minute after the trade's take (chain time), as the bank reports it. */
  const credit = async (
    trade: Address,
    amount: string,
    remittance: string,
  ): Promise<TestCredit> => {
    const taken = (await getTrade(rpc, trade)).createdAt;
    return {
      amount,
      remittance,
      bookedAt: new Date(Number(taken + 60n) * 1000).toISOString(),
      bankReference: `DE-BANK-${trade.slice(0, 6)}`,
    };
  };
  section(
    "alice buys 200, learns where to pay in the trade room, pays, the payment service releases",
  );
  const trade1 = cliJson<{ trade: Address }>("alice", "take", offer, "200").trade;
  await answered(trade1);
  cli("alice", "chat", "read", trade1);
  // Alice's transfer carries the trade's payment reference, which mark-paid takes by default.
  cli("alice", "mark-paid", trade1, "--payer", "Alice Doe, DE02 1203 0000 0000 2020 51");
  const alicePaid = await credit(trade1, "200.00", `P2P order ${paymentReference(trade1)}`);
  deliver(desk.bank, "camt054-0001.xml", notification(paymentReference(trade1), alicePaid));
  await desk.attested(trade1);

  section("bob buys 100, pays; the seller sees nothing, bob disputes, the arbiter rules 70/30");
  const trade2 = cliJson<{ trade: Address }>("bob", "take", offer, "100").trade;
  await answered(trade2);
  cli("bob", "chat", "send", trade2, "sent 100.00 USD, reference SEPA-2026-0002");
  cli("bob", "mark-paid", trade2, "--reference", "SEPA-2026-0002");
  // The day's statement repeats alice's credit (seen, never attested twice) and holds bob's 30.00
  // without the trade's reference: the attestor reports it for the seller to handle by hand.
  const bobPaid = await credit(trade2, "30.00", "SEPA-2026-0002");
  deliver(desk.bank, "camt053-0001.xml", endOfDayStatement("", alicePaid, bobPaid));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  cli("", "attestor", "report", "--ledger", desk.ledger);
  cli("seller", "chat", "send", trade2, "only 30.00 USD arrived");
  cli("", "advance-clock", "61m");
  cli("bob", "dispute", trade2);
  cli("arbiter", "arbiter-room-key");
  cli("bob", "disclose", trade2);
  cli("arbiter", "chat", "read", trade2);
  cli("arbiter", "note", trade2, "please upload your bank statement", "--to", "buyer");
  const receipt = join(work, "bank-receipt.txt");
  writeFileSync(receipt, "SEPA-2026-0002: 100.00 USD sent, bank statement line 14\n");
  cli(
    "bob",
    "evidence",
    trade2,
    "--file",
    receipt,
    "--uri",
    "https://evidence.example/bob/receipt",
  );
  const statement = join(work, "seller-statement.txt");
  writeFileSync(statement, "Only 30.00 USD arrived on the seller's account\n");
  cli(
    "seller",
    "evidence",
    trade2,
    "--file",
    statement,
    "--uri",
    "https://evidence.example/seller/statement",
  );
  cli("", "trades", "--arbiter", keys.arbiter);
  cli("arbiter", "rule", trade2, "--buyer-bps", "7000");

  section("carol takes 50 and never pays; after the payment window anyone expires it");
  const trade3 = cliJson<{ trade: Address }>("carol", "take", offer, "50").trade;
  await answered(trade3);
  cli("", "advance-clock", "31m");
  cli("alice", "expire", trade3);

  section("alice buys 50 more and pays, but her bank returns the money: they agree to cancel");
  const trade4 = cliJson<{ trade: Address }>("alice", "take", offer, "50").trade;
  await answered(trade4);
  cli("alice", "mark-paid", trade4, "--reference", "SEPA-2026-0004");
  cli("seller", "chat", "send", trade4, "your transfer came back: shall we cancel?");
  cli("alice", "propose", trade4, "0");
  cli("", "trade", trade4);
  cli("seller", "accept", trade4, "0");

  section("the admin takes the protocol fees out of the fee vault");
  const adminTokens = await tokenAccountAddress(keys.admin, mint, TOKEN_2022_PROGRAM_ADDRESS);
  cli("issuer", "mint-to", mint, keys.admin, "0");
  cli("admin", "withdraw-fees", "--mint", mint, "--amount", "0.5", "--destination", adminTokens);

  section("timelines");
  for (const trade of [trade1, trade2, trade3, trade4]) cli("", "trade", trade);
  cli("", "offers", "--seller", keys.seller);

  section("final balances");
  const info = await getMintInfo(rpc, mint);
  const vault = await tokenAccountAddress(offer, mint, info.tokenProgram);
  const holders: [string, Address][] = [
    ["seller", keys.seller],
    ["alice", keys.alice],
    ["bob", keys.bob],
    ["carol", keys.carol],
    ["fee vault", await configAddress()],
    ["admin", keys.admin],
    ["arbiter", keys.arbiter],
  ];
  const balances: Record<string, bigint> = {};
  let accounted = 0n;
  for (const [name, owner] of holders) {
    balances[name] = await getTokenBalance(rpc, owner, info);
    const withheld = await getWithheldFees(
      rpc,
      await tokenAccountAddress(owner, mint, info.tokenProgram),
    );
    accounted += balances[name] + withheld;
    console.log(
      `  ${name.padEnd(9)} ${formatAmount(balances[name], DECIMALS).padStart(12)} USDX  (transfer fees withheld ${formatAmount(withheld, DECIMALS)})`,
    );
  }
  const vaultBalance = await getTokenBalance(rpc, offer, info);
  const vaultWithheld = await getWithheldFees(rpc, vault);
  const mintWithheld = await getMintWithheldFees(rpc, mint);
  accounted += vaultBalance + vaultWithheld + mintWithheld;
  console.log(
    `  ${"vault".padEnd(9)} ${formatAmount(vaultBalance, DECIMALS).padStart(12)} USDX  (transfer fees withheld ${formatAmount(vaultWithheld, DECIMALS)})`,
  );
  console.log(
    `  ${"mint".padEnd(9)} ${"".padStart(12)}       (harvested fees ${formatAmount(mintWithheld, DECIMALS)})`,
  );
  const { value: carolLamports } = await rpc.getBalance(keys.carol).send();

  section("checks");
  const deposited = afterTransferFee(1_000n * UNIT);
  const fee1 = share(200n * UNIT, FEE_BPS);
  const arbiterFee = share(100n * UNIT, ARBITER_FEE_BPS);
  const toBob = share(100n * UNIT - arbiterFee, 7_000n);
  const expectations: [string, bigint, bigint][] = [
    ["supply minted", await getMintSupply(rpc, mint), SUPPLY],
    ["every token accounted for (balances + withheld fees)", accounted, SUPPLY],
    ["seller kept the rest", balances.seller, SUPPLY - 1_000n * UNIT],
    [
      "alice received 200 less 0.5% protocol fee, less the transfer fee",
      balances.alice,
      afterTransferFee(200n * UNIT - fee1),
    ],
    [
      "the fee vault collected the protocol fee, less the transfer fee; the admin took 0.5",
      balances["fee vault"],
      afterTransferFee(fee1) - 500_000n,
    ],
    ["the admin received 0.5, less the transfer fee", balances.admin, afterTransferFee(500_000n)],
    [
      "bob received 70% after the arbiter's 2%, less the transfer fee",
      balances.bob,
      afterTransferFee(toBob),
    ],
    [
      "the arbiter received its 2%, less the transfer fee",
      balances.arbiter,
      afterTransferFee(arbiterFee),
    ],
    ["carol received nothing", balances.carol, 0n],
    [
      "the vault holds the rest of the offer",
      vaultBalance,
      deposited - 200n * UNIT - toBob - arbiterFee,
    ],
    ["nothing is left locked in the offer", (await getOffer(rpc, offer)).locked, 0n],
    [
      "carol lost her bond (10 SOL airdropped)",
      carolLamports < 10_000_000_000n - BOND_LAMPORTS ? 1n : 0n,
      1n,
    ],
  ];
  let failures = 0;
  for (const [what, actual, expected] of expectations) {
    const ok = actual === expected;
    if (!ok) failures += 1;
    console.log(
      `  ${ok ? "ok  " : "FAIL"} ${what}: ${actual}${ok ? "" : ` (expected ${expected})`}`,
    );
  }
  console.log(failures === 0 ? "\nthe balances add up" : `\n${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`desk session failed: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
