/** Dispute commands: opening, evidence, rulings, settlements and escalation. */
import { readFileSync } from "node:fs";

import { getTrade, hashBytes, formatBps } from "@p2p-escrow/sdk";
import { readKeypairFile } from "@p2p-escrow/sdk/node";
import { Command, UsageError, arg, option, toAddress, bps, sent } from "../common";

/** The disputes commands, by name. */
export const DISPUTES_COMMANDS: Record<string, Command> = {
  dispute: {
    usage: "dispute <trade>",
    summary: "open a dispute on a paid trade",
    options: [],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.openDispute(await ctx.signer(), trade), [
        `dispute opened on ${trade}`,
      ]);
    },
  },
  evidence: {
    usage: "evidence <trade> --file PATH --uri URI",
    summary: "submit evidence: the file's SHA-256 on chain, the URI in the event",
    options: ["file", "uri"],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const path = option(ctx, "file");
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(path);
      } catch {
        throw new UsageError(`cannot read the evidence file ${path}`);
      }
      const hash = await hashBytes(bytes);
      const result = await ctx.client.submitEvidence(
        await ctx.signer(),
        trade,
        hash,
        option(ctx, "uri"),
      );
      return sent(result, [`evidence ${Buffer.from(hash).toString("hex")} submitted`], {
        evidenceHash: hash,
      });
    },
  },
  rule: {
    usage: "rule <trade> --buyer-bps N",
    summary: "arbiter: split the disputed amount, N basis points to the buyer",
    options: ["buyer-bps"],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const buyerBps = bps(option(ctx, "buyer-bps"), "--buyer-bps");
      return sent(await ctx.client.rule(await ctx.signer(), trade, buyerBps), [
        `ruled ${formatBps(buyerBps)} to the buyer`,
      ]);
    },
  },
  settle: {
    usage: "settle <trade> --buyer-bps N --counterparty KEYPAIR",
    summary: "buyer and seller split a dispute themselves (both sign)",
    options: ["buyer-bps", "counterparty"],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const buyerBps = bps(option(ctx, "buyer-bps"), "--buyer-bps");
      const me = await ctx.signer();
      const other = await readKeypairFile(option(ctx, "counterparty"));
      const state = await getTrade(ctx.rpc, trade);
      const [buyer, seller] = state.buyer === me.address ? [me, other] : [other, me];
      return sent(await ctx.client.settle(buyer, seller, trade, buyerBps), [
        `settled ${formatBps(buyerBps)} to the buyer`,
      ]);
    },
  },
  escalate: {
    usage: "escalate <trade>",
    summary: "after a missed ruling deadline: fallback arbiter, then the default ruling",
    options: [],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.escalate(await ctx.signer(), trade), [
        `dispute on ${trade} escalated`,
      ]);
    },
  },
};
