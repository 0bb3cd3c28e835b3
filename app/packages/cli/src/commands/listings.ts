/** Reading commands: offers, trades, a trade's timeline, and the live event stream. */

import {
  arbiterInCharge,
  EscrowError,
  fetchAccountEvents,
  fetchTransactionEvents,
  getMintInfo,
  listOffers,
  listTrades,
  OfferStatus,
  P2P_ESCROW_PROGRAM_ADDRESS,
  TradeState,
  formatTime,
} from "@p2p-escrow/sdk";
import {
  toJsonLine,
  Command,
  UsageError,
  arg,
  toAddress,
  describeEvent,
  offerLines,
  tradeLines,
  tradeMint,
  offerJson,
  tradeCurrency,
  tradeJson,
  wholeNumber,
} from "../common";
import { DetailsSender, detailsFile, readDetails } from "../paymentDetails";

/** The listings commands, by name. */
export const LISTINGS_COMMANDS: Record<string, Command> = {
  offers: {
    usage: "offers [--seller ADDRESS] [--mint MINT] [--arbiter ADDRESS] [--status open|paused]",
    summary: "list offers",
    options: ["arbiter", "mint", "seller", "status"],
    async run(ctx) {
      const status = ctx.values.status;
      if (status !== undefined && status !== "open" && status !== "paused") {
        throw new UsageError("--status is open or paused");
      }
      const offers = await listOffers(ctx.rpc, {
        seller: ctx.values.seller ? toAddress(ctx.values.seller, "--seller") : undefined,
        mint: ctx.values.mint ? toAddress(ctx.values.mint, "--mint") : undefined,
        arbiter: ctx.values.arbiter ? toAddress(ctx.values.arbiter, "--arbiter") : undefined,
        status:
          status === undefined
            ? undefined
            : status === "open"
              ? OfferStatus.Open
              : OfferStatus.Paused,
      });
      const lines: string[] = [];
      const json = [];
      for (const offer of offers) {
        const mint = await getMintInfo(ctx.rpc, offer.data.mint);
        lines.push(...offerLines(offer.address, offer.data, mint));
        json.push(offerJson(offer.address, offer.data, mint));
      }
      return { json, lines: lines.length ? lines : ["no offers"] };
    },
  },
  trades: {
    usage:
      "trades [--offer A] [--seller A] [--buyer A] [--mint M] [--arbiter A] [--state locked|paid|disputed|settled]",
    summary: "list trades not yet closed (--arbiter: the arbiter in charge)",
    options: ["offer", "seller", "buyer", "mint", "arbiter", "state"],
    async run(ctx) {
      const states = {
        locked: TradeState.Locked,
        paid: TradeState.Paid,
        disputed: TradeState.Disputed,
        settled: TradeState.Settled,
      };
      const state = ctx.values.state;
      if (state !== undefined && !(state in states))
        throw new UsageError("--state is locked, paid, disputed or settled");
      const pick = (name: "offer" | "seller" | "buyer" | "mint" | "arbiter") =>
        ctx.values[name] ? toAddress(ctx.values[name] as string, `--${name}`) : undefined;
      const trades = await listTrades(ctx.rpc, {
        offer: pick("offer"),
        seller: pick("seller"),
        buyer: pick("buyer"),
        mint: pick("mint"),
        arbiter: pick("arbiter"),
        state: state === undefined ? undefined : states[state as keyof typeof states],
      });
      const lines: string[] = [];
      const json = [];
      for (const trade of trades) {
        const mint = await getMintInfo(ctx.rpc, trade.data.mint);
        lines.push(...tradeLines(trade.address, trade.data, mint));
        json.push(tradeJson(trade.address, trade.data, mint, await tradeCurrency(ctx, trade.data)));
      }
      return { json, lines: lines.length ? lines : ["no trades"] };
    },
  },
  trade: {
    usage: "trade <address>",
    summary: "a trade's state (while open) and its timeline of events",
    options: [],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "address"), "<address>");
      const events = await fetchAccountEvents(ctx.rpc, trade);
      let state: ReturnType<typeof tradeJson> | null = null;
      const lines: string[] = [];
      try {
        const found = await tradeMint(ctx, trade);
        const currency = await tradeCurrency(ctx, found.trade);
        state = tradeJson(trade, found.trade, found.mint, currency);
        lines.push(...tradeLines(trade, found.trade, found.mint));
        lines.push(`  arbiter in charge: ${arbiterInCharge(found.trade)}`);
      } catch (error) {
        if (!(error instanceof EscrowError && error.errorName === "TradeNotFound")) throw error;
        if (events.length === 0) throw error;
        lines.push(`trade ${trade}  closed`);
      }
      lines.push("timeline:");
      for (const entry of events) {
        const when = entry.blockTime === null ? `slot ${entry.slot}` : formatTime(entry.blockTime);
        lines.push(`  ${when}  ${describeEvent(entry.event)}`);
      }
      return { json: { address: trade, state, timeline: events }, lines };
    },
  },
  watch: {
    usage: "watch [--count N] [--interval MS] [--send-details [--details-file PATH]]",
    summary:
      "print the program's events as they happen (--count: stop after N); --send-details answers every take of your offers with your payment details",
    options: ["count", "interval", "send-details", "details-file"],
    async run(ctx) {
      const limit =
        ctx.values.count === undefined
          ? Infinity
          : wholeNumber(ctx.values.count, "--count", 1, Number.MAX_SAFE_INTEGER);
      const interval = wholeNumber(ctx.values.interval ?? "500", "--interval", 1, 3_600_000);
      if (!ctx.values["send-details"] && ctx.values["details-file"] !== undefined) {
        throw new UsageError("--details-file goes with --send-details");
      }
      const seller = ctx.values["send-details"] ? await ctx.signer() : null;
      const say = (line: string) =>
        process.stdout.write(ctx.values.json ? `${toJsonLine({ details: line })}\n` : `${line}\n`);
      // Each answer is a line of its own; per-transaction progress lines would bury the
      // failures on stderr.
      const quiet = { ...ctx, client: ctx.client.with({ onProgress: undefined }) };
      // The details file is read again each round, so `details set` needs no restart.
      const sender = () =>
        seller ? new DetailsSender(quiet, seller, readDetails(detailsFile(ctx))) : null;
      const seen = new Set<string>();
      const initial = await ctx.rpc
        .getSignaturesForAddress(P2P_ESCROW_PROGRAM_ADDRESS, { limit: 1000 })
        .send();
      for (const entry of initial) seen.add(entry.signature);
      // After the snapshot: a take landing in between is answered here or seen as new.
      for (const line of (await sender()?.answerOpen()) ?? []) say(line);
      let lastSweep = Date.now();
      const printed: unknown[] = [];
      while (printed.length < limit) {
        try {
          const recent = await ctx.rpc
            .getSignaturesForAddress(P2P_ESCROW_PROGRAM_ADDRESS, { limit: 1000 })
            .send();
          const fresh = recent.filter((entry) => !seen.has(entry.signature)).reverse();
          for (const entry of fresh) {
            const landed = entry.err
              ? null
              : await fetchTransactionEvents(ctx.rpc, entry.signature);
            seen.add(entry.signature);
            for (const event of landed?.events ?? []) {
              if (printed.length >= limit) break;
              const record = {
                signature: entry.signature,
                slot: entry.slot,
                blockTime: entry.blockTime,
                event,
              };
              printed.push(record);
              process.stdout.write(
                ctx.values.json
                  ? `${toJsonLine(record)}\n`
                  : `slot ${entry.slot}  ${describeEvent(event)}\n`,
              );
              const answering = event.name === "tradeTaken" ? sender() : null;
              if (answering && event.name === "tradeTaken") {
                say(await answering.answer(event.data.trade));
              }
            }
          }
          // Every half minute, trades still waiting (a failed send, details set since) again.
          if (seller && Date.now() - lastSweep > 30_000) {
            lastSweep = Date.now();
            for (const line of (await sender()?.answerOpen()) ?? []) say(line);
          }
        } catch (error) {
          // A daemon outlives an RPC that fails for a while: it says so and asks again.
          process.stderr.write(`watch: ${(error as Error).message}; trying again\n`);
        }
        if (printed.length < limit) await new Promise((resolve) => setTimeout(resolve, interval));
      }
      return { json: null, lines: [] };
    },
  },
};
