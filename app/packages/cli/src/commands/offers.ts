/** Seller commands: creating, funding, pausing and closing offers. */

import { getMintInfo, hashText, formatAmount, parseAmount, parseDuration } from "@p2p-escrow/sdk";
import {
  Command,
  arg,
  option,
  toAddress,
  sol,
  destinationOption,
  sent,
  offerMint,
  UsageError,
} from "../common";

/** The offers commands, by name. */
export const OFFERS_COMMANDS: Record<string, Command> = {
  "create-offer": {
    usage:
      "create-offer --mint MINT --amount AMOUNT --price FIAT_PER_TOKEN --currency USD --min AMOUNT --max AMOUNT --arbiter ADDRESS [--attestor ADDRESS] [--bond SOL] [--response-window 15m] [--payment-window 30m] [--release-window 1h] [--payment-terms TEXT] [--allowed-buyer ADDRESS]",
    summary: "sell tokens: lock them in a new offer's vault",
    options: [
      "allowed-buyer",
      "amount",
      "arbiter",
      "attestor",
      "bond",
      "currency",
      "max",
      "min",
      "mint",
      "payment-terms",
      "payment-window",
      "price",
      "release-window",
      "response-window",
    ],
    async run(ctx) {
      const seller = await ctx.signer();
      const mint = await getMintInfo(ctx.rpc, toAddress(option(ctx, "mint"), "--mint"));
      const amount = parseAmount(option(ctx, "amount"), mint.decimals);
      const responseWindow = parseDuration(ctx.values["response-window"] ?? "15m");
      const method = (ctx.values["payment-terms"] ?? "").trim();
      if (responseWindow !== 0n && method === "") {
        throw new UsageError(
          "name the payment method (--payment-terms, as in `details set`): with a response window the seller answers each take with its details; or --response-window 0",
        );
      }
      const result = await ctx.client.createOffer(seller, {
        mint: mint.address,
        amount,
        terms: {
          minTradeAmount: parseAmount(option(ctx, "min"), mint.decimals),
          maxTradeAmount: parseAmount(option(ctx, "max"), mint.decimals),
          price: parseAmount(option(ctx, "price"), 2),
          fiatCurrency: option(ctx, "currency"),
          paymentTermsHash: await hashText(method),
          paymentWindow: parseDuration(ctx.values["payment-window"] ?? "30m"),
          responseWindow,
          releaseWindow: parseDuration(ctx.values["release-window"] ?? "1h"),
          arbiter: toAddress(option(ctx, "arbiter"), "--arbiter"),
          attestor: ctx.values.attestor ? toAddress(ctx.values.attestor, "--attestor") : undefined,
          buyerBond: sol(ctx.values.bond ?? "0.01"),
          allowedBuyer: ctx.values["allowed-buyer"]
            ? toAddress(ctx.values["allowed-buyer"], "--allowed-buyer")
            : undefined,
        },
      });
      return sent(
        result,
        [`offer ${result.address} created with ${formatAmount(amount, mint.decimals)} tokens`],
        {
          offer: result.address,
        },
      );
    },
  },
  deposit: {
    usage: "deposit <offer> <amount>",
    summary: "add tokens to an offer",
    options: [],
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const { mint } = await offerMint(ctx, offer);
      const amount = parseAmount(arg(ctx, 1, "amount"), mint.decimals);
      return sent(await ctx.client.deposit(await ctx.signer(), offer, amount), [
        `deposited ${formatAmount(amount, mint.decimals)}`,
      ]);
    },
  },
  withdraw: {
    usage: "withdraw <offer> <amount> [--destination TOKEN_ACCOUNT]",
    summary: "take back tokens not locked in trades (default: to your token account)",
    options: ["destination"],
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const { mint } = await offerMint(ctx, offer);
      const amount = parseAmount(arg(ctx, 1, "amount"), mint.decimals);
      const options = { destination: destinationOption(ctx) };
      return sent(await ctx.client.withdraw(await ctx.signer(), offer, amount, options), [
        `withdrew ${formatAmount(amount, mint.decimals)}`,
      ]);
    },
  },
  "pause-offer": {
    usage: "pause-offer <offer>",
    summary: "stop new trades on an offer",
    options: [],
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      return sent(await ctx.client.setOfferPaused(await ctx.signer(), offer, true), [
        `offer ${offer} paused`,
      ]);
    },
  },
  "resume-offer": {
    usage: "resume-offer <offer>",
    summary: "accept new trades again",
    options: [],
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      return sent(await ctx.client.setOfferPaused(await ctx.signer(), offer, false), [
        `offer ${offer} open`,
      ]);
    },
  },
  "close-offer": {
    usage: "close-offer <offer> [--destination TOKEN_ACCOUNT]",
    summary: "close an offer with nothing locked; tokens and rent return",
    options: ["destination"],
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const options = { destination: destinationOption(ctx) };
      return sent(await ctx.client.closeOffer(await ctx.signer(), offer, options), [
        `offer ${offer} closed`,
      ]);
    },
  },
};
