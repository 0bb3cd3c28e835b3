/**
 * `p2p-escrow`: the command line of the escrow for wallets, arbiters, payment services and the
 * protocol's admin. Human output by default, `--json` for scripts; errors name the program's
 * error and exit 1, usage mistakes (a missing argument, an option the command does not take) exit
 * 2; a progress line (on stderr) follows every transaction until it is confirmed, but in the
 * long-running `watch` and `attestor run`, whose own lines say what they sent. Each command
 * group lives in `commands/`; `p2p-escrow <command> --help` prints a command's usage and options.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import type { KeyPairSigner } from "@solana/kit";

import {
  createEscrowRpc,
  describeError,
  EscrowClient,
  LOCAL_CHAIN_URL,
  ParseError,
  type TransactionProgress,
} from "@p2p-escrow/sdk";
import { readKeypairFile } from "@p2p-escrow/sdk/node";
import { ADMIN_COMMANDS } from "./commands/admin";
import { ATTESTOR_COMMANDS } from "./commands/attestor";
import { DEPLOY_COMMANDS } from "./commands/deploy";
import { DISPUTES_COMMANDS } from "./commands/disputes";
import { LISTINGS_COMMANDS } from "./commands/listings";
import { NEGOTIATION_COMMANDS } from "./commands/negotiation";
import { OFFERS_COMMANDS } from "./commands/offers";
import { ROOM_COMMANDS } from "./commands/room";
import { TOKENS_COMMANDS } from "./commands/tokens";
import { TRADES_COMMANDS } from "./commands/trades";
import { WALLET_COMMANDS } from "./commands/wallet";
import {
  GLOBAL_OPTIONS,
  OPTIONS,
  toJson,
  toJsonLine,
  UsageError,
  type Command,
  type Context,
  type OptionName,
} from "./common";

const COMMANDS: Record<string, Command> = {
  ...WALLET_COMMANDS,
  ...TOKENS_COMMANDS,
  ...ADMIN_COMMANDS,
  ...DEPLOY_COMMANDS,
  ...OFFERS_COMMANDS,
  ...TRADES_COMMANDS,
  ...DISPUTES_COMMANDS,
  ...NEGOTIATION_COMMANDS,
  ...ROOM_COMMANDS,
  ...ATTESTOR_COMMANDS,
  ...LISTINGS_COMMANDS,
};

const GLOBAL_HELP = [
  `  --url URL       JSON-RPC endpoint (default ${LOCAL_CHAIN_URL}, the local chain)`,
  "  --keypair FILE  Solana CLI keypair file that signs (default ~/.config/solana/id.json)",
  "  --json          machine-readable output",
  "  -h, --help      this help",
];

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    "usage: p2p-escrow <command> [arguments] [options] [--url URL] [--keypair FILE] [--json]",
    "",
    ...GLOBAL_HELP,
    "",
    "commands (p2p-escrow <command> --help for its options):",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "amounts are in tokens (e.g. 12.5), prices in fiat per token (e.g. 1.05), durations like 30m, 2h, 7d",
  ].join("\n");
}

function commandUsage(command: Command): string {
  const own = command.options.map((name) =>
    OPTIONS[name].type === "boolean" ? `--${name}` : `--${name} VALUE`,
  );
  return [
    `usage: p2p-escrow ${command.usage}`,
    command.summary,
    "",
    own.length ? `options: ${own.join(", ")}` : "options: none of its own",
    ...GLOBAL_HELP,
  ].join("\n");
}

/**
 * The command named in `argv`: its first positional argument, read with every option known (so
 * an option's value is never taken for the command, wherever the option stands). Which options
 * the command accepts is checked afterwards.
 */
function commandName(argv: string[]): string | undefined {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false })
    .positionals[0];
}

function progressReporter(): (progress: TransactionProgress) => void {
  const tty = process.stderr.isTTY;
  let last = "";
  return (progress) => {
    let line: string;
    switch (progress.stage) {
      case "signing":
        line = "signing…";
        break;
      case "sending":
        line = `sending ${progress.signature}…`;
        break;
      case "confirming":
        line = `confirming ${progress.signature} (block ${progress.blockHeight}, valid until ${progress.lastValidBlockHeight})…`;
        break;
      case "confirmed":
        line = `confirmed ${progress.signature} in slot ${progress.slot}`;
        break;
    }
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}${progress.stage === "confirmed" ? "\n" : ""}`);
    } else if (progress.stage !== last) {
      process.stderr.write(`${line}\n`);
    }
    last = progress.stage;
  };
}

export async function main(argv: string[]): Promise<number> {
  const name = commandName(argv);
  if (name === undefined) {
    const help = argv.includes("--help") || argv.includes("-h");
    (help ? process.stdout : process.stderr).write(`${usage()}\n`);
    return help ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const accepted = [...GLOBAL_OPTIONS, ...command.options];
  const options = Object.fromEntries(accepted.map((option) => [option, OPTIONS[option]])) as Pick<
    typeof OPTIONS,
    OptionName
  >;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${commandUsage(command)}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${commandUsage(command)}\n`);
    return 0;
  }
  const args = positionals.slice(positionals.indexOf(name) + 1);
  // Every positional argument a command takes stands in its usage as `<name>`.
  const extra = args.slice((command.usage.match(/<[^>]+>/g) ?? []).length);
  if (extra.length) {
    process.stderr.write(
      `error: unexpected argument "${extra[0]}"\nusage: p2p-escrow ${command.usage}\n`,
    );
    return 2;
  }
  const url = values.url ?? LOCAL_CHAIN_URL;
  const rpc = createEscrowRpc(url);
  const keypairPath = values.keypair ?? join(homedir(), ".config", "solana", "id.json");
  let signer: Promise<KeyPairSigner> | undefined;
  const ctx: Context = {
    rpc,
    url,
    client: new EscrowClient(rpc, { onProgress: progressReporter() }),
    values,
    args,
    signer: () => (signer ??= readKeypairFile(keypairPath)),
  };
  try {
    const output = await command.run(ctx);
    if (values.json) {
      if (output.json !== null) process.stdout.write(`${toJson(output.json)}\n`);
    } else if (output.lines.length) {
      process.stdout.write(`${output.lines.join("\n")}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ParseError) {
      process.stderr.write(`error: ${error.message}\nusage: p2p-escrow ${command.usage}\n`);
      return 2;
    }
    const described = describeError(error);
    const code = described.code === undefined ? "" : ` (error ${described.code})`;
    process.stderr.write(`error: ${described.name}: ${described.message}${code}\n`);
    if (values.json) {
      process.stdout.write(
        // One line: after a long-running command's JSON lines too.
        `${toJsonLine({ error: { name: described.name, message: described.message, code: described.code } })}\n`,
      );
    }
    return 1;
  }
}
