/**
 * The bench: starts its own local chain (the real program, run natively in program-test's bank,
 * behind JSON-RPC) and prints, as Markdown, what the desk costs: every instruction's largest
 * transaction (bytes, headroom, accounts, writable accounts, compute units), the rent a seller and
 * a buyer lock and the proof that it comes back, JSON-RPC requests per complete trade, complete
 * trades per second (sequential, and 8 buyers at once), and the web desk's offer book load at
 * 1,000 open offers. `./scripts/bench.sh` runs it; docs/performance.md keeps a run.
 */
import { cpus, release, totalmem, type } from "node:os";

import type { Address, KeyPairSigner, Signature } from "@solana/kit";

import {
  configAddress,
  createMint,
  createTokenAccountInstruction,
  EscrowClient,
  getOffer,
  hashText,
  mintTo,
  profileAddress,
  sendInstructions,
  type EscrowRpc,
  type MintInfo,
} from "@p2p-escrow/sdk";
import {
  fundedWallet,
  countByMethod,
  HEADROOM,
  launchChromium,
  measureEveryInstruction,
  offerTerms,
  PACKET_SIZE,
  recordingRpc,
  serveWebDesk,
  startDesk,
  TOKEN,
  type Desk,
  type RecordedRequest,
} from "@p2p-escrow/testing";

import { sol, table } from "./markdown";

/** Complete trades in the sequential run, and per buyer in the concurrent one. */
const SEQUENTIAL_TRADES = 40;
const CONCURRENT_BUYERS = 8;
const TRADES_PER_BUYER = 10;
/** Open offers in the offer book, created by this many sellers. */
const BOOK_OFFERS = 1_000;
const BOOK_SELLERS = 10;
/** The most requests one complete trade through one client may make. */
const TRADE_REQUESTS = 9;
/** Milliseconds added to every request in the run that plays a hosted RPC node, and its trades. */
const HOSTED_LATENCY_MS = 50;
const HOSTED_TRADES = 10;

async function balance(rpc: EscrowRpc, address: Address): Promise<bigint> {
  return (await rpc.getBalance(address, { commitment: "confirmed" }).send()).value;
}

/** The fee a landed transaction paid, in lamports. */
async function feeOf(rpc: EscrowRpc, signature: Signature): Promise<bigint> {
  const landed = await rpc
    .getTransaction(signature, {
      encoding: "json",
      maxSupportedTransactionVersion: 0,
      commitment: "confirmed",
    })
    .send();
  return landed?.meta?.fee ?? 0n;
}

function machine(): string {
  const cpu = cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}; Node ${process.version}`,
    "- Chain: `target/debug/local-chain` (the program compiled natively, in debug, inside program-test's bank), on 127.0.0.1",
  ].join("\n");
}

/** The budgets and promises a run broke; the bench exits non-zero when there is any. */
const broken: string[] = [];

async function instructionCosts(desk: Desk): Promise<string> {
  const costs = (await measureEveryInstruction(desk)).sort((a, b) => b.bytes - a.bytes);
  for (const { instruction, bytes } of costs) {
    if (PACKET_SIZE - bytes < HEADROOM) {
      broken.push(`${instruction} leaves ${PACKET_SIZE - bytes} bytes, less than ${HEADROOM}`);
    }
  }
  return [
    "## Transactions, per instruction",
    "",
    `Each instruction in the largest transaction the SDK sends it in, without address lookup tables. A packet holds ${PACKET_SIZE} bytes; the budget test fails below ${HEADROOM} bytes of headroom. Compute units are what the chain reports (\`meta.computeUnitsConsumed\`): here the program runs natively and is not metered, so they count only the programs that are (the token programs, the associated token account and system programs the program calls, and the compute-budget and Ed25519 programs of the SDK's transactions), not the program itself. They are those of the largest transaction, and move by a few thousand units from run to run (creating an associated token account searches for its bump, which depends on the random addresses).`,
    "",
    table(
      [
        "instruction",
        "largest variant",
        "bytes",
        "headroom",
        "accounts",
        "writable",
        "compute units",
      ],
      costs.map((cost) => [
        cost.instruction,
        cost.variant || "-",
        cost.bytes,
        PACKET_SIZE - cost.bytes,
        cost.accounts,
        cost.writable,
        cost.computeUnits ?? "-",
      ]),
    ),
  ].join("\n");
}

/**
 * One offer and one trade on `mint`, from creation to close, by a seller and a buyer that already
 * have their profiles and token accounts: what each locks, and each one's balance at the end
 * against the start less the fees it paid.
 */
async function rentCycle(desk: Desk, label: string, mint: MintInfo) {
  const { rpc, keys } = desk;
  const seller = await fundedWallet(rpc);
  const buyer = await fundedWallet(rpc);
  const client = new EscrowClient(rpc);
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint,
    owner: seller.address,
    amount: 100n * TOKEN,
  });
  await client.openProfile(seller);
  await client.openProfile(buyer);
  // The buyer's token account and the mint's fee vault exist already: their rent is the
  // buyer's and the protocol's, paid once.
  await sendInstructions(rpc, keys.mintAuthority, [
    await createTokenAccountInstruction(keys.mintAuthority, buyer.address, mint),
    await createTokenAccountInstruction(keys.mintAuthority, await configAddress(), mint),
  ]);
  const sellerStart = await balance(rpc, seller.address);
  const buyerStart = await balance(rpc, buyer.address);
  const created = await client.createOffer(seller, {
    mint: mint.address,
    amount: 50n * TOKEN,
    terms: await offerTerms(desk),
  });
  const offer = created.address!;
  const offerRent = await balance(rpc, offer);
  const vaultRent = await balance(rpc, (await getOffer(rpc, offer)).vault);
  const taken = await client.takeOffer(buyer, offer, 10n * TOKEN);
  const trade = taken.address!;
  const tradeLamports = await balance(rpc, trade);
  const bond = (await offerTerms(desk)).buyerBond;
  const paid = await client.markPaid(buyer, trade, await hashText("SEPA-1"));
  const released = await client.release(seller, trade);
  const closed = await client.closeOffer(seller, offer);
  const sellerFees =
    (await feeOf(rpc, created.signature)) +
    (await feeOf(rpc, released.signature)) +
    (await feeOf(rpc, closed.signature));
  const buyerFees = (await feeOf(rpc, taken.signature)) + (await feeOf(rpc, paid.signature));
  const sellerEnd = await balance(rpc, seller.address);
  const buyerEnd = await balance(rpc, buyer.address);
  return {
    locked: [
      [label, "seller, per open offer", "offer account", offerRent, sol(offerRent)],
      [label, "seller, per open offer", "vault token account", vaultRent, sol(vaultRent)],
      [
        label,
        "buyer, per open trade",
        "trade account",
        tradeLamports - bond,
        sol(tradeLamports - bond),
      ],
      [label, "buyer, per open trade", "bond (held by the trade)", bond, sol(bond)],
    ],
    back: [
      [label, "seller", sellerStart, sellerEnd, sellerFees, sellerStart - sellerEnd - sellerFees],
      [label, "buyer", buyerStart, buyerEnd, buyerFees, buyerStart - buyerEnd - buyerFees],
    ],
  };
}

async function rent(desk: Desk): Promise<string> {
  const splCoin = await createMint(desk.rpc, {
    payer: desk.keys.mintAuthority,
    mintAuthority: desk.keys.mintAuthority.address,
    decimals: 6,
  });
  const cycles = [
    await rentCycle(desk, "SPL Token", splCoin),
    await rentCycle(desk, "Token-2022, transfer fee", desk.usd),
  ];
  const profile = await balance(desk.rpc, await profileAddress(desk.keys.seller.address));
  for (const [token, party, , , , kept] of cycles.flatMap((cycle) => cycle.back)) {
    if (kept !== 0n) broken.push(`${token}: the ${party} did not get ${kept} lamports back`);
  }
  return [
    "## Rent",
    "",
    "What a seller locks per open offer and a buyer per open trade, read from the accounts' balances (lamports):",
    "",
    table(
      ["token", "who", "account", "lamports", "SOL"],
      cycles.flatMap((cycle) => cycle.locked),
    ),
    "",
    "All of it comes back: one offer and one trade from creation to close (take, mark paid, release, close the offer); each party's balance at the end is its balance at the start less the fees of the transactions it signed (lamports):",
    "",
    table(
      ["token", "party", "start", "end", "fees paid", "start − end − fees"],
      cycles.flatMap((cycle) => cycle.back),
    ),
    "",
    `A wallet's profile (its offer and trade counters, so addresses never repeat) stays: ${profile.toLocaleString("en-US")} lamports (${sol(profile)} SOL), once per wallet. A token account the program creates for a payout (a buyer's or an arbiter's missing account, a mint's first fee vault) belongs to its owner, paid by the transaction's signer.`,
  ].join("\n");
}

function byMethod(requests: readonly RecordedRequest[]): string {
  return countByMethod(requests)
    .map(([method, count]) => `${method} ${count}`)
    .join(", ");
}

async function roundTrips(desk: Desk): Promise<string> {
  const { keys } = desk;
  const offer = (
    await desk.client.createOffer(keys.seller, {
      mint: desk.usd.address,
      amount: 200n * TOKEN,
      terms: await offerTerms(desk),
    })
  ).address!;
  const steps = async (buyerClient: RecordingClient, sellerClient: RecordingClient) => {
    const take = await buyerClient.recording.during(() =>
      buyerClient.client.takeOffer(keys.buyer, offer, 10n * TOKEN),
    );
    const trade = take.result.address!;
    const mark = await buyerClient.recording.during(async () =>
      buyerClient.client.markPaid(keys.buyer, trade, await hashText("SEPA-1")),
    );
    const release = await sellerClient.recording.during(() =>
      sellerClient.client.release(keys.seller, trade),
    );
    return [
      ["take", take.requests],
      ["mark paid", mark.requests],
      ["release", release.requests],
    ] as const;
  };
  const one = recordingClient(desk);
  const together = await steps(one, one);
  const split = await steps(recordingClient(desk), recordingClient(desk));
  const total = together.reduce((sum, [, requests]) => sum + requests.length, 0);
  if (total > TRADE_REQUESTS) {
    broken.push(`a trade through one client made ${total} requests, more than ${TRADE_REQUESTS}`);
  }
  const rows = (label: string, measured: typeof together) => [
    ...measured.map(([step, requests]) => [label, step, requests.length, byMethod(requests)]),
    [
      label,
      "**complete trade**",
      measured.reduce((sum, [, requests]) => sum + requests.length, 0),
      byMethod(measured.flatMap(([, requests]) => requests)),
    ],
  ];
  return [
    "## JSON-RPC requests per complete trade",
    "",
    "Counted by the RPC transport, on fresh clients. One client (a desk, or the tests) takes, marks paid and releases; the budget (at most 9) is held by `app/packages/sdk/test/roundTrips.test.ts`. With two clients, the seller's knows nothing of the trade and reads it (and its offer) first.",
    "",
    table(["clients", "step", "requests", "by method"], [
      ...rows("one", together),
      ...rows("buyer's, then seller's", split),
    ] as (string | number)[][]),
  ].join("\n");
}

type RecordingClient = { client: EscrowClient; recording: ReturnType<typeof recordingRpc> };

function recordingClient(desk: Desk): RecordingClient {
  const recording = recordingRpc(desk.chain.url);
  return { client: new EscrowClient(recording.rpc), recording };
}

/**
 * `count` complete trades on `offer`, one after the other, by `buyer` and `seller` each through
 * its own client on `rpc`.
 */
async function trades(
  rpc: EscrowRpc,
  offer: Address,
  seller: KeyPairSigner,
  buyer: KeyPairSigner,
  count: number,
): Promise<void> {
  const buyerClient = new EscrowClient(rpc);
  const sellerClient = new EscrowClient(rpc);
  for (let i = 0; i < count; i++) {
    const trade = (await buyerClient.takeOffer(buyer, offer, TOKEN)).address!;
    await buyerClient.markPaid(buyer, trade, await hashText(`SEPA-${i}`));
    await sellerClient.release(seller, trade);
  }
}

/** Milliseconds and requests `count` complete trades take, each party on its own client. */
async function tradeRun(
  desk: Desk,
  parties: { offer: Address; seller: KeyPairSigner; buyer: KeyPairSigner }[],
  count: number,
  delayMs = 0,
): Promise<{ ms: number; requests: number; trades: number }> {
  const recording = recordingRpc(desk.chain.url, { delayMs });
  const start = performance.now();
  await Promise.all(
    parties.map(({ offer, seller, buyer }) => trades(recording.rpc, offer, seller, buyer, count)),
  );
  return {
    ms: performance.now() - start,
    requests: recording.requests.length,
    trades: parties.length * count,
  };
}

async function throughput(desk: Desk): Promise<string> {
  const { rpc, keys } = desk;
  const seller = await fundedWallet(rpc);
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint: desk.usd,
    owner: seller.address,
    amount: 2_000n * TOKEN,
  });
  const sellerClient = new EscrowClient(rpc);
  // An offer and a buyer of its own for the sequential run, for each concurrent buyer, and for
  // the run that plays a hosted RPC node.
  const parties = [];
  for (let i = 0; i < CONCURRENT_BUYERS + 2; i++) {
    const created = await sellerClient.createOffer(seller, {
      mint: desk.usd.address,
      amount: 100n * TOKEN,
      terms: await offerTerms(desk),
    });
    parties.push({ offer: created.address!, seller, buyer: await fundedWallet(rpc) });
  }
  const runs = [
    ["sequential, one buyer", await tradeRun(desk, parties.slice(0, 1), SEQUENTIAL_TRADES)],
    [
      `${CONCURRENT_BUYERS} buyers at once, each on its own offer`,
      await tradeRun(desk, parties.slice(1, CONCURRENT_BUYERS + 1), TRADES_PER_BUYER),
    ],
    [
      `sequential, one buyer, ${HOSTED_LATENCY_MS} ms added per request`,
      await tradeRun(desk, parties.slice(CONCURRENT_BUYERS + 1), HOSTED_TRADES, HOSTED_LATENCY_MS),
    ],
  ] as const;
  return [
    "## Complete trades per second",
    "",
    `A complete trade: take, mark paid, release, each confirmed before the next; the buyer and the seller each on a client of their own, kept from trade to trade (so the seller's knows the offer and reads only the trade). The local chain is on this machine and answers within milliseconds; the last run adds ${HOSTED_LATENCY_MS} ms to every request, as a hosted RPC node far away would, where the number of requests decides a trade's time.`,
    "",
    table(
      ["run", "trades", "seconds", "trades per second", "requests per trade"],
      runs.map(([run, { ms, requests, trades }]) => [
        run,
        trades,
        Number((ms / 1000).toFixed(2)),
        Number((trades / (ms / 1000)).toFixed(1)),
        Number((requests / trades).toFixed(1)),
      ]),
    ),
  ].join("\n");
}

async function offerBook(): Promise<string> {
  const desk = await startDesk();
  const web = await serveWebDesk();
  const browser = await launchChromium();
  try {
    const { rpc, keys } = desk;
    const sellers = await Promise.all(
      Array.from({ length: BOOK_SELLERS }, () => fundedWallet(rpc, 20)),
    );
    const perSeller = BOOK_OFFERS / BOOK_SELLERS;
    for (const seller of sellers) {
      await mintTo(rpc, {
        payer: keys.mintAuthority,
        mintAuthority: keys.mintAuthority,
        mint: desk.usd,
        owner: seller.address,
        amount: BigInt(perSeller) * TOKEN,
      });
    }
    const terms = await offerTerms(desk);
    // Each seller's offers one after the other (offer ids are sequential), the sellers at once.
    await Promise.all(
      sellers.map(async (seller) => {
        const client = new EscrowClient(rpc);
        for (let i = 0; i < perSeller; i++) {
          await client.createOffer(seller, {
            mint: desk.usd.address,
            amount: TOKEN,
            terms,
          });
        }
      }),
    );
    const page = await browser.newPage();
    const methods: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(desk.chain.url) && request.method() === "POST") {
        methods.push((request.postDataJSON() as { method: string }).method);
      }
    });
    const start = performance.now();
    await page.goto(`${web.url(desk.chain.url)}#/`);
    const cards = page.getByTestId("offer");
    await cards.nth(BOOK_OFFERS - 1).waitFor({ timeout: 120_000 });
    const shown = { ms: performance.now() - start, requests: [...methods] };
    if ((await cards.count()) !== BOOK_OFFERS) {
      throw new Error(`the book shows ${await cards.count()} offers, not ${BOOK_OFFERS}`);
    }
    await page.waitForFunction(() => !document.body.innerText.includes("record loading"), null, {
      timeout: 300_000,
    });
    const records = { ms: performance.now() - start, requests: [...methods] };
    const count = (requests: string[]) => byMethod(requests.map((method) => ({ method })));
    return [
      "## The web desk's offer book",
      "",
      `${BOOK_OFFERS.toLocaleString("en-US")} open offers from ${BOOK_SELLERS} sellers; headless Chromium opens the book (no wallet) and the RPC requests the page makes are counted from its first request until the last offer card shows, then until every seller's record (completed and disputed trades, from the program's last 500 transactions) has filled in.`,
      "",
      table(
        ["until", "milliseconds", "requests", "by method"],
        [
          ["all offers shown", Math.round(shown.ms), shown.requests.length, count(shown.requests)],
          [
            "sellers' records filled in",
            Math.round(records.ms),
            records.requests.length,
            count(records.requests),
          ],
        ],
      ),
    ].join("\n");
  } finally {
    await browser.close();
    web.close();
    await desk.chain.stop();
  }
}

async function main() {
  const desk = await startDesk();
  const sections: string[] = [];
  try {
    sections.push(await instructionCosts(desk));
    sections.push(await rent(desk));
    sections.push(await roundTrips(desk));
    sections.push(await throughput(desk));
  } finally {
    await desk.chain.stop();
  }
  sections.push(await offerBook());
  console.log(["# Bench", "", machine(), "", sections.join("\n\n")].join("\n"));
  if (broken.length > 0) {
    console.error(`budgets broken:\n${broken.map((line) => `- ${line}`).join("\n")}`);
    process.exit(1);
  }
}

await main();
