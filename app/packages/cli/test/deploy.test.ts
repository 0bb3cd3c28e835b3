/**
 * `p2p-escrow deploy` against a fresh local chain, as after `anchor deploy`: only the upgrade
 * authority initializes, a second run changes nothing, arbiters are registered once, and a
 * mistyped plan is refused before anything is sent.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { createEscrowRpc, getArbiter, getConfig, getMaybeConfig } from "@p2p-escrow/sdk";
import type { LocalChain } from "@p2p-escrow/sdk/node";
import { airdrop, newKeyPair, startChain, writeKeypair } from "@p2p-escrow/testing";

const BIN = fileURLToPath(new URL("../dist/p2p-escrow.mjs", import.meta.url));

let chain: LocalChain;
let dir: string;
let authority: Awaited<ReturnType<typeof newKeyPair>>;
let stranger: Awaited<ReturnType<typeof newKeyPair>>;
before(async () => {
  authority = await newKeyPair();
  stranger = await newKeyPair();
  dir = mkdtempSync(join(tmpdir(), "p2p-escrow-deploy-"));
  writeKeypair(dir, "authority", authority.bytes);
  writeKeypair(dir, "stranger", stranger.bytes);
  chain = await startChain(authority.signer.address);
  const rpc = createEscrowRpc(chain.url);
  await airdrop(rpc, authority.signer.address, 10);
  await airdrop(rpc, stranger.signer.address, 10);
});
after(async () => {
  await chain.stop();
});

function deploy(keypair: string, ...args: string[]) {
  return spawnSync(
    process.execPath,
    [BIN, "deploy", ...args, "--url", chain.url, "--keypair", join(dir, `${keypair}.json`)],
    { encoding: "utf8" },
  );
}

function plan(arbiter: string): string[] {
  return ["--fallback-arbiter", arbiter, "--fee-bps", "40", "--register-arbiter", `${arbiter}:150`];
}

test("deploy --help prints its usage", () => {
  const help = spawnSync(process.execPath, [BIN, "deploy", "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: p2p-escrow deploy --fallback-arbiter ADDRESS/);
  assert.match(help.stdout, /--register-arbiter ADDRESS:FEE_BPS/);
});

test("a mistyped plan is a usage mistake and sends nothing", async () => {
  const arbiter = (await newKeyPair()).signer.address;
  for (const [args, message] of [
    [["--fee-bps", "40"], /missing --fallback-arbiter/],
    [[...plan(arbiter), "--ruling-window", "soon"], /duration/],
    [["--fallback-arbiter", arbiter, "--fee-bps", "x"], /--fee-bps \(basis points\) must be/],
    [["--fallback-arbiter", arbiter, "--register-arbiter", arbiter], /use ADDRESS:FEE_BPS/],
    [["--fallback-arbiter", arbiter, "--register-arbiter", `${arbiter}:20000`], /basis points/],
    [["--fallback-arbiter", arbiter, "--register-arbiter", `${arbiter}:`], /basis points/],
    [["--fallback-arbiter", arbiter, "--fee-bps="], /basis points/],
    [["--fallback-arbiter", arbiter, "--fee-bps", "1e3"], /basis points/],
    [
      [
        "--fallback-arbiter",
        arbiter,
        "--register-arbiter",
        `${arbiter}:10`,
        "--register-arbiter",
        `${arbiter}:20`,
      ],
      /names .* more than once/,
    ],
    [
      ["--fallback-arbiter", arbiter, "--ruling-window", "99999999999999999999999d"],
      /longer than any window/,
    ],
  ] as const) {
    const refused = deploy("authority", ...args);
    assert.equal(refused.status, 2, `${args.join(" ")}: ${refused.stderr}`);
    assert.match(refused.stderr, message);
  }
  assert.equal(await getMaybeConfig(createEscrowRpc(chain.url)), null);
});

test("only the upgrade authority can initialize the config", async () => {
  const refused = deploy("stranger", ...plan(stranger.signer.address));
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /error: NotUpgradeAuthority: Only the program's upgrade authority can initialize the config/,
  );
  assert.equal(await getMaybeConfig(createEscrowRpc(chain.url)), null);
});

test("deploy initializes the config and registers the arbiters, once", async () => {
  const arbiter = (await newKeyPair()).signer.address;
  const first = deploy("authority", ...plan(arbiter));
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /config: initialized by/);
  assert.match(first.stdout, new RegExp(`arbiter ${arbiter}: registered at 150 bps`));
  const rpc = createEscrowRpc(chain.url);
  const config = await getConfig(rpc);
  assert.equal(config.admin, authority.signer.address);
  assert.equal(config.feeBps, 40);
  assert.equal(config.rulingWindow, 2n * 24n * 3600n);
  assert.equal(config.defaultBuyerBps, 5_000);
  assert.equal((await getArbiter(rpc, arbiter)).feeBps, 150);
  const second = deploy("authority", ...plan(arbiter), "--json");
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(JSON.parse(second.stdout), {
    steps: [
      { step: "config", done: false, sameSettings: true },
      { step: "arbiter", authority: arbiter, done: false },
    ],
  });
  const other = deploy("authority", "--fallback-arbiter", arbiter, "--fee-bps", "41");
  assert.equal(other.status, 0, other.stderr);
  assert.match(other.stdout, /config: already initialized with other settings/);
  assert.equal((await getConfig(rpc)).feeBps, 40);
});
