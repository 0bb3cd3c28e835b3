/** Wallet commands: key pairs, addresses, balances, airdrops, and the local chain's clock. */

import { lamports } from "@solana/kit";

import {
  advanceLocalClock,
  getMintInfo,
  getTokenBalance,
  formatAmount,
  formatDuration,
  formatTime,
  parseDuration,
} from "@p2p-escrow/sdk";
import { writeNewKeypairFile } from "@p2p-escrow/sdk/node";
import { Command, UsageError, arg, toAddress, sol } from "../common";

/** The wallet commands, by name. */
export const WALLET_COMMANDS: Record<string, Command> = {
  keygen: {
    usage: "keygen <outfile>",
    summary: "write a new Solana CLI keypair file",
    options: [],
    async run(ctx) {
      const signer = await writeNewKeypairFile(arg(ctx, 0, "outfile"));
      return { json: { address: signer.address }, lines: [signer.address] };
    },
  },
  address: {
    usage: "address",
    summary: "print the --keypair's address",
    options: [],
    async run(ctx) {
      const signer = await ctx.signer();
      return { json: { address: signer.address }, lines: [signer.address] };
    },
  },
  balance: {
    usage: "balance [--owner ADDRESS] [--mint MINT]",
    summary: "SOL balance, and token balance of a mint",
    options: ["mint", "owner"],
    async run(ctx) {
      const owner = ctx.values.owner
        ? toAddress(ctx.values.owner, "--owner")
        : (await ctx.signer()).address;
      const { value } = await ctx.rpc.getBalance(owner).send();
      const lines = [`${owner}: ${formatAmount(value, 9)} SOL`];
      const json: Record<string, unknown> = { owner, lamports: value };
      if (ctx.values.mint) {
        const mint = await getMintInfo(ctx.rpc, toAddress(ctx.values.mint, "--mint"));
        const tokens = await getTokenBalance(ctx.rpc, owner, mint);
        lines.push(`${owner}: ${formatAmount(tokens, mint.decimals)} of ${mint.address}`);
        json.tokens = tokens;
      }
      return { json, lines };
    },
  },
  airdrop: {
    usage: "airdrop <sol> [--to ADDRESS]",
    summary: "request SOL from the cluster's faucet (local chain, devnet)",
    options: ["to"],
    async run(ctx) {
      const to = ctx.values.to ? toAddress(ctx.values.to, "--to") : (await ctx.signer()).address;
      const amount = sol(arg(ctx, 0, "sol"));
      const signature = await ctx.rpc.requestAirdrop(to, lamports(amount)).send();
      return {
        json: { to, lamports: amount, signature },
        lines: [`airdropped ${formatAmount(amount, 9)} SOL to ${to}`],
      };
    },
  },
  "advance-clock": {
    usage: "advance-clock <duration>",
    summary: "move the local chain's clock forward (e.g. 31m, 2d)",
    options: [],
    async run(ctx) {
      const seconds = parseDuration(arg(ctx, 0, "duration"));
      if (seconds > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new UsageError(`<duration> is longer than the local chain's clock can move at once`);
      }
      const clock = await advanceLocalClock(ctx.url, Number(seconds));
      return {
        json: clock,
        lines: [
          `clock moved ${formatDuration(seconds)}: now ${formatTime(clock.unixTimestamp)} (slot ${clock.slot})`,
        ],
      };
    },
  },
};
