/**
 * migrations/deploy.ts against a fresh local chain, as after `anchor deploy`: only the upgrade
 * authority initializes, a second run changes nothing, arbiters are registered once.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { createEscrowRpc, getArbiter, getConfig } from "../src/sdk";
import {
  airdrop,
  appDir,
  newKeyPair,
  repoDir,
  startLocalChain,
  writeKeypair,
  type LocalChain,
} from "./support";

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
  chain = await startLocalChain(authority.signer.address);
  const rpc = createEscrowRpc(chain.url);
  await airdrop(rpc, authority.signer.address, 10);
  await airdrop(rpc, stranger.signer.address, 10);
});
after(async () => {
  await chain.stop();
});

function deploy(keypair: string, arbiter: string) {
  return spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoDir, "migrations", "deploy.ts"),
      "--url",
      chain.url,
      "--keypair",
      join(dir, `${keypair}.json`),
      "--fallback-arbiter",
      arbiter,
      "--fee-bps",
      "40",
      "--arbiter",
      `${arbiter}:150`,
    ],
    { encoding: "utf8", cwd: appDir },
  );
}

test("deploy --help prints its usage and changes nothing", () => {
  const help = spawnSync(
    process.execPath,
    ["--import", "tsx", join(repoDir, "migrations", "deploy.ts"), "--help"],
    { encoding: "utf8", cwd: appDir },
  );
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: npm --prefix app run deploy -- --fallback-arbiter ADDRESS/);
  assert.match(help.stdout, /--arbiter ADDRESS:FEE_BPS/);
});

test("only the upgrade authority can initialize the config", () => {
  const refused = deploy("stranger", stranger.signer.address);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /deploy failed: NotUpgradeAuthority: Only the program's upgrade authority can initialize the config/,
  );
});

test("deploy initializes the config and registers the arbiters, once", async () => {
  const arbiter = (await newKeyPair()).signer.address;
  const first = deploy("authority", arbiter);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /config: initialized by/);
  assert.match(first.stdout, new RegExp(`arbiter ${arbiter}: registered at 150 bps`));
  const rpc = createEscrowRpc(chain.url);
  const config = await getConfig(rpc);
  assert.equal(config.admin, authority.signer.address);
  assert.equal(config.feeBps, 40);
  assert.equal((await getArbiter(rpc, arbiter)).feeBps, 150);
  const second = deploy("authority", arbiter);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /config: already initialized with these settings/);
  assert.match(second.stdout, /already registered/);
});
