/**
 * Initializes p2p-escrow on a cluster after `anchor deploy`: creates the config (signed by the
 * program's upgrade authority, who becomes admin) and registers the arbiters. Safe to run again:
 * an existing config is left as it is (and reported if its settings differ), registered arbiters
 * are skipped.
 *
 *   npm --prefix app run deploy -- --url URL --keypair UPGRADE_AUTHORITY.json \
 *     --fallback-arbiter ADDRESS [--fee-bps 50] [--ruling-window 172800] \
 *     [--default-buyer-bps 5000] [--arbiter ADDRESS:FEE_BPS ...]
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { readKeypairFile } from "../app/src/cli/keypair";
import {
  address,
  createEscrowRpc,
  describeError,
  EscrowClient,
  getMaybeArbiter,
  getMaybeConfig,
  LOCAL_CHAIN_URL,
  type Address,
} from "../app/src/sdk";

/** What `--help` prints. */
const USAGE = `Initializes p2p-escrow on a cluster after \`anchor deploy\`: creates the config (signed by the
program's upgrade authority, who becomes admin) and registers the arbiters. Safe to run again.

usage: npm --prefix app run deploy -- --fallback-arbiter ADDRESS [options]

  --url URL                   JSON-RPC endpoint (default ${LOCAL_CHAIN_URL})
  --keypair FILE              the program's upgrade authority (default ~/.config/solana/id.json)
  --fallback-arbiter ADDRESS  the arbiter an escalated dispute goes to (required)
  --fee-bps N                 protocol fee in basis points of each trade (default 50)
  --ruling-window SECONDS     time an arbiter has to rule (default 172800, two days)
  --default-buyer-bps N       the buyer's share when no arbiter rules, in bps (default 5000)
  --arbiter ADDRESS:FEE_BPS   an arbiter to register, with its fee; repeatable
  -h, --help                  this text`;

type DeployPlan = {
  fallbackArbiter: Address;
  feeBps: number;
  rulingWindow: bigint;
  defaultBuyerBps: number;
  arbiters: { authority: Address; feeBps: number }[];
};

function parsePlan(
  argv: string[],
): { url: string; keypair: string; plan: DeployPlan } | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      keypair: { type: "string" },
      "fallback-arbiter": { type: "string" },
      "fee-bps": { type: "string", default: "50" },
      "ruling-window": { type: "string", default: "172800" },
      "default-buyer-bps": { type: "string", default: "5000" },
      arbiter: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  if (!values["fallback-arbiter"]) {
    throw new Error("--fallback-arbiter is required");
  }
  return {
    url: values.url ?? LOCAL_CHAIN_URL,
    keypair: values.keypair ?? join(homedir(), ".config", "solana", "id.json"),
    plan: {
      fallbackArbiter: address(values["fallback-arbiter"]),
      feeBps: Number(values["fee-bps"]),
      rulingWindow: BigInt(values["ruling-window"]),
      defaultBuyerBps: Number(values["default-buyer-bps"]),
      arbiters: values.arbiter.map((entry) => {
        const [authority, fee] = entry.split(":");
        if (!authority || fee === undefined)
          throw new Error(`--arbiter ${entry}: use ADDRESS:FEE_BPS`);
        return { authority: address(authority), feeBps: Number(fee) };
      }),
    },
  };
}

/** Applies the plan; returns one line per step for the operator. */
async function deploy(
  url: string,
  keypair: string,
  plan: DeployPlan,
): Promise<string[]> {
  const rpc = createEscrowRpc(url);
  const client = new EscrowClient(rpc);
  const authority = await readKeypairFile(keypair);
  const report: string[] = [];
  const existing = await getMaybeConfig(rpc);
  if (existing) {
    const same =
      existing.fallbackArbiter === plan.fallbackArbiter &&
      existing.feeBps === plan.feeBps &&
      existing.rulingWindow === plan.rulingWindow &&
      existing.defaultBuyerBps === plan.defaultBuyerBps;
    report.push(
      same
        ? "config: already initialized with these settings"
        : "config: already initialized with other settings (use update_config as admin to change them)",
    );
  } else {
    const sent = await client.initializeConfig(authority, {
      feeBps: plan.feeBps,
      fallbackArbiter: plan.fallbackArbiter,
      rulingWindow: plan.rulingWindow,
      defaultBuyerBps: plan.defaultBuyerBps,
    });
    report.push(
      `config: initialized by ${authority.address} (${sent.signature})`,
    );
  }
  for (const arbiter of plan.arbiters) {
    if (await getMaybeArbiter(rpc, arbiter.authority)) {
      report.push(`arbiter ${arbiter.authority}: already registered`);
      continue;
    }
    const sent = await client.registerArbiter(
      authority,
      arbiter.authority,
      arbiter.feeBps,
    );
    report.push(
      `arbiter ${arbiter.authority}: registered at ${arbiter.feeBps} bps (${sent.signature})`,
    );
  }
  return report;
}

async function main(): Promise<number> {
  try {
    const parsed = parsePlan(process.argv.slice(2));
    if (parsed === null) {
      console.log(USAGE);
      return 0;
    }
    const { url, keypair, plan } = parsed;
    for (const line of await deploy(url, keypair, plan)) console.log(line);
    return 0;
  } catch (error) {
    const described = describeError(error);
    console.error(`deploy failed: ${described.name}: ${described.message}`);
    return 1;
  }
}

main().then((status) => (process.exitCode = status));
