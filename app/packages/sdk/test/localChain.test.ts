/**
 * The local chain's JSON-RPC: standard answers for what it serves, a JSON-RPC error (never a
 * wrong answer) for what it does not, airdrops, and the clock it lets tests move.
 */
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";

import {
  advanceLocalClock,
  configAddress,
  getConfigDecoder,
  getMintInfo,
  getWithheldFees,
  hashText,
  P2P_ESCROW_PROGRAM_ADDRESS,
  tokenAccountAddress,
  type OfferTermsInput,
} from "@p2p-escrow/sdk";
import { LOCAL_CHAIN_BIN, newKeyPair, startDesk, TOKEN, type Desk } from "@p2p-escrow/testing";

let desk: Desk;
before(async () => {
  desk = await startDesk();
});
after(async () => {
  await desk.chain.stop();
});

type RpcAnswer = { result?: any; error?: { code: number; message: string; data?: any } };

async function call(method: string, params: unknown[] = []): Promise<RpcAnswer> {
  const response = await fetch(desk.chain.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
  });
  return (await response.json()) as RpcAnswer;
}

async function transfer(skipPreflight: boolean, lamports: bigint, version: 0 | "legacy" = 0) {
  const { value: blockhash } = await desk.rpc.getLatestBlockhash().send();
  const message = pipe(
    createTransactionMessage({ version }),
    (m) => setTransactionMessageFeePayerSigner(desk.keys.stranger, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) =>
      appendTransactionMessageInstructions(
        [
          getTransferSolInstruction({
            source: desk.keys.stranger,
            destination: desk.keys.buyer.address,
            amount: lamports,
          }),
        ],
        m,
      ),
  );
  const signed = await signTransactionMessageWithSigners(message);
  const answer = await call("sendTransaction", [
    getBase64EncodedWireTransaction(signed),
    { encoding: "base64", skipPreflight },
  ]);
  return { answer, signature: getSignatureFromTransaction(signed) };
}

test("unsupported methods, encodings and options are JSON-RPC errors", async () => {
  assert.equal((await call("getBlock", [1])).error?.code, -32601);
  const parsed = await call("getAccountInfo", [await configAddress(), { encoding: "jsonParsed" }]);
  assert.equal(parsed.error?.code, -32602);
  assert.match(parsed.error!.message, /encoding `jsonParsed` is not supported by the local chain/);
  const replace = await call("simulateTransaction", ["", { replaceRecentBlockhash: true }]);
  assert.match(replace.error!.message, /replaceRecentBlockhash is not supported/);
  const filter = await call("getProgramAccounts", [
    P2P_ESCROW_PROGRAM_ADDRESS,
    { filters: [{ memcmp: { offset: 0, bytes: "A".repeat(200) } }] },
  ]);
  assert.equal(filter.error?.code, -32602);
  // As a validator: base58 only for data of at most 128 bytes.
  const tokenAccount = await tokenAccountAddress(
    desk.keys.seller.address,
    desk.usd.address,
    desk.usd.tokenProgram,
  );
  const long = await call("getAccountInfo", [tokenAccount, { encoding: "base58" }]);
  assert.match(long.error!.message, /base 58\) data should be less than 128 bytes/);
  assert.equal(long.error!.code, -32600);
  // Hostile sizes are refused before any work, and the chain goes on serving.
  const farFuture = await call("localchain_advanceClock", [9_223_372_036_000_000_000]);
  assert.equal(farFuture.error?.code, -32602);
  const hugeRent = await call("getMinimumBalanceForRentExemption", [1e16]);
  assert.equal(hugeRent.error?.code, -32602);
  const longTransaction = await call("sendTransaction", ["1".repeat(200_000)]);
  assert.match(longTransaction.error!.message, /at most 1683 are allowed/);
  const { signature } = await transfer(false, 1_000n);
  assert.equal((await call("getSignatureStatuses", [[signature]])).result.value[0].err, null);
  assert.equal((await call("getBalance", ["nope"])).error?.code, -32602);
  const response = await fetch(desk.chain.url, { method: "POST", body: "{" });
  assert.equal(((await response.json()) as RpcAnswer).error?.code, -32700);
});

test("a busy port is refused with the way out, --help answers", () => {
  const busy = new URL(desk.chain.url).port;
  const refused = spawnSync(
    LOCAL_CHAIN_BIN,
    ["--port", busy, "--upgrade-authority", desk.keys.admin.address],
    { encoding: "utf8" },
  );
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /is in use .*pass --port N, or --port 0 for any free port/);
  const help = spawnSync(LOCAL_CHAIN_BIN, ["--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--upgrade-authority <PUBKEY\|KEYPAIR_FILE>/);
});

test("health, version, slots, blockhashes, rent, CORS and batches", async () => {
  assert.equal((await call("getHealth")).result, "ok");
  assert.equal((await call("getVersion")).result["solana-core"], "3.1.12");
  const slot = (await call("getSlot")).result as number;
  const latest = (await call("getLatestBlockhash")).result;
  assert.equal(latest.context.slot, slot);
  assert.ok(latest.value.lastValidBlockHeight > (await call("getBlockHeight")).result);
  assert.equal((await call("getMinimumBalanceForRentExemption", [0])).result, 890_880);
  const preflight = await fetch(desk.chain.url, { method: "OPTIONS" });
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  const batch = await fetch(desk.chain.url, {
    method: "POST",
    body: JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "getHealth" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
    ]),
  });
  const answers = (await batch.json()) as (RpcAnswer & { id: number })[];
  assert.deepEqual(
    answers.map((a) => [a.id, a.result ?? a.error?.code]),
    [
      [1, "ok"],
      [2, -32601],
    ],
  );
});

test("accounts: encodings, data slices, program accounts with filters, token accounts", async () => {
  const config = await configAddress();
  const base64 = (await call("getAccountInfo", [config, { encoding: "base64" }])).result.value;
  assert.equal(base64.owner, P2P_ESCROW_PROGRAM_ADDRESS);
  const bytes = Buffer.from(base64.data[0], "base64");
  assert.equal(getConfigDecoder().decode(bytes).admin, desk.keys.admin.address);
  const base58 = (
    await call("getAccountInfo", [
      config,
      { encoding: "base58", dataSlice: { offset: 8, length: 32 } },
    ])
  ).result.value;
  assert.equal(base58.data[0], desk.keys.admin.address);
  // A fresh key's address holds no account.
  const unused = (await newKeyPair()).signer.address;
  assert.equal((await call("getAccountInfo", [unused])).result?.value ?? null, null);
  const bySize = (
    await call("getProgramAccounts", [
      P2P_ESCROW_PROGRAM_ADDRESS,
      { encoding: "base64", filters: [{ dataSize: bytes.length }] },
    ])
  ).result;
  assert.deepEqual(
    bySize.map((a: { pubkey: string }) => a.pubkey),
    [config],
  );
  const byMemcmp = (
    await call("getProgramAccounts", [
      P2P_ESCROW_PROGRAM_ADDRESS,
      {
        encoding: "base64",
        withContext: true,
        // The admin's profile starts with the same key; the discriminator tells them apart.
        filters: [
          {
            memcmp: {
              offset: 0,
              bytes: Buffer.from(bytes.subarray(0, 8)).toString("base64"),
              encoding: "base64",
            },
          },
          {
            memcmp: {
              offset: 8,
              bytes: Buffer.from(bytes.subarray(8, 40)).toString("base64"),
              encoding: "base64",
            },
          },
        ],
      },
    ])
  ).result;
  assert.deepEqual(
    byMemcmp.value.map((a: { pubkey: string }) => a.pubkey),
    [config],
  );
  const tokenAccounts = (
    await call("getProgramAccounts", [
      desk.usd.tokenProgram,
      {
        encoding: "base64",
        dataSlice: { offset: 0, length: 0 },
        filters: ["tokenAccountState"],
      },
    ])
  ).result as { pubkey: string; account: { space: number } }[];
  assert.ok(tokenAccounts.length > 0);
  assert.ok(
    !tokenAccounts.some((a) => a.pubkey === desk.usd.address),
    "a mint is no token account",
  );
  const seller = desk.keys.seller.address;
  const owned = (
    await call("getTokenAccountsByOwner", [
      seller,
      { mint: desk.usd.address },
      { encoding: "base64" },
    ])
  ).result.value;
  const account = await tokenAccountAddress(seller, desk.usd.address, desk.usd.tokenProgram);
  assert.deepEqual(
    owned.map((a: { pubkey: string }) => a.pubkey),
    [account],
  );
  const balance = (await call("getTokenAccountBalance", [account])).result.value;
  assert.deepEqual(balance, {
    amount: "10000000000",
    decimals: 6,
    uiAmount: 10000,
    uiAmountString: "10000",
  });
  assert.equal((await call("getTokenAccountBalance", [seller])).error?.code, -32602);
});

test("transactions: preflight refusals, failures that land, signature checks, history", async () => {
  const refused = await transfer(false, 10n ** 18n);
  assert.equal(refused.answer.error?.code, -32002);
  assert.deepEqual(refused.answer.error?.data.err, { InstructionError: [0, { Custom: 1 }] });
  assert.equal((await call("getSignatureStatuses", [[refused.signature]])).result.value[0], null);

  const landed = await transfer(true, 10n ** 18n);
  assert.equal(landed.answer.result, landed.signature);
  const status = (await call("getSignatureStatuses", [[landed.signature]])).result.value[0];
  assert.deepEqual(status.err, { InstructionError: [0, { Custom: 1 }] });
  assert.equal(status.confirmationStatus, "finalized");

  const good = await transfer(false, 1_000n);
  const v0 = await call("getTransaction", [good.signature, { encoding: "json" }]);
  assert.equal(v0.error?.code, -32015);
  const tx = (
    await call("getTransaction", [
      good.signature,
      { encoding: "json", maxSupportedTransactionVersion: 0 },
    ])
  ).result;
  assert.equal(tx.version, 0);
  assert.equal(tx.meta.err, null);
  assert.equal(tx.meta.fee, 5_000);
  assert.equal(tx.meta.postBalances[1] - tx.meta.preBalances[1], 1_000);
  const wire = (
    await call("getTransaction", [
      good.signature,
      { encoding: "base64", maxSupportedTransactionVersion: 0 },
    ])
  ).result;
  assert.equal(wire.transaction[1], "base64");
  const legacy = await transfer(false, 2_000n, "legacy");
  assert.equal((await call("getTransaction", [legacy.signature])).result.version, "legacy");

  const again = await call("sendTransaction", [
    (
      await call("getTransaction", [
        good.signature,
        { encoding: "base64", maxSupportedTransactionVersion: 0 },
      ])
    ).result.transaction[0],
    { encoding: "base64" },
  ]);
  assert.deepEqual(again.error?.data.err, "AlreadyProcessed");

  const tampered = Buffer.from(wire.transaction[0], "base64");
  // The last byte of a v0 message counts its lookup tables; the one before ends the amount.
  tampered[tampered.length - 2] ^= 1;
  const forged = await call("sendTransaction", [
    tampered.toString("base64"),
    { encoding: "base64" },
  ]);
  assert.equal(forged.error?.code, -32003);

  const history = (
    await call("getSignaturesForAddress", [desk.keys.stranger.address, { limit: 2 }])
  ).result;
  assert.deepEqual(
    history.map((h: { signature: string }) => h.signature),
    [legacy.signature, good.signature],
  );
  const older = (
    await call("getSignaturesForAddress", [
      desk.keys.stranger.address,
      { before: good.signature, until: landed.signature },
    ])
  ).result;
  assert.deepEqual(older, []);
  const withFailure = (
    await call("getSignaturesForAddress", [
      desk.keys.stranger.address,
      { before: good.signature, limit: 1 },
    ])
  ).result;
  assert.deepEqual(withFailure[0].err, { InstructionError: [0, { Custom: 1 }] });
});

test("transactions record inner instructions (the program's events) and token balances", async () => {
  const terms: OfferTermsInput = {
    minTradeAmount: TOKEN,
    maxTradeAmount: 10n * TOKEN,
    price: 100n,
    fiatCurrency: "USD",
    paymentTermsHash: await hashText("cash"),
    paymentWindow: 600n,
    responseWindow: 0n,
    releaseWindow: 600n,
    arbiter: desk.keys.arbiter.address,
    buyerBond: 0n,
  };
  const created = await desk.client.createOffer(desk.keys.seller, {
    mint: desk.usd.address,
    amount: 10n * TOKEN,
    terms,
  });
  const tx = (
    await call("getTransaction", [
      created.signature,
      { encoding: "json", maxSupportedTransactionVersion: 0 },
    ])
  ).result;
  assert.ok(tx.meta.innerInstructions.length > 0);
  const post = tx.meta.postTokenBalances.find(
    (b: { owner: string }) => b.owner === created.address,
  );
  assert.equal(post.uiTokenAmount.amount, "9900000");
  const usd = await getMintInfo(desk.rpc, desk.usd.address);
  const vault = await tokenAccountAddress(created.address!, usd.address, usd.tokenProgram);
  assert.equal(await getWithheldFees(desk.rpc, vault), 100_000n);
  const simulated = (
    await call("simulateTransaction", [
      (
        await call("getTransaction", [
          created.signature,
          { encoding: "base64", maxSupportedTransactionVersion: 0 },
        ])
      ).result.transaction[0],
      { encoding: "base64", innerInstructions: true },
    ])
  ).result.value;
  assert.ok(simulated.err, "simulating an executed transaction again fails: the offer exists");
});

test("the clock follows the wall clock and moves forward on request, never back", async () => {
  const clockAddress = "SysvarC1ock11111111111111111111111111111111";
  const read = async () => {
    const data = (await call("getAccountInfo", [clockAddress, { encoding: "base64" }])).result.value
      .data[0];
    return Buffer.from(data, "base64").readBigInt64LE(32);
  };
  const now = await read();
  assert.ok(Math.abs(Number(now) - Date.now() / 1000) < 120);
  const moved = await advanceLocalClock(desk.chain.url, 3_600);
  assert.ok(moved.unixTimestamp >= Number(now) + 3_600);
  assert.equal(BigInt(moved.unixTimestamp), await read());
  await assert.rejects(advanceLocalClock(desk.chain.url, -1), /the clock only moves forward/);
  const airdrop = await call("requestAirdrop", [desk.keys.stranger.address, 5]);
  assert.equal(typeof airdrop.result, "string");
  assert.equal((await call("getSignatureStatuses", [[airdrop.result]])).result.value[0].err, null);
});
