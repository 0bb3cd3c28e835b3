/** The protocol's settings and arbiters, read by anyone, changed by the admin. */

import {
  getArbiter,
  getConfig,
  parseDuration,
  getMintInfo,
  formatAmount,
  formatBps,
  formatDuration,
  parseAmount,
} from "@p2p-escrow/sdk";
import {
  arg,
  bps,
  option,
  sent,
  toAddress,
  UsageError,
  type Command,
  type Context,
} from "../common";

/** Which pause flags `pause` and `resume` change: both, or `--only offers|trades`. */
function pauseScope(ctx: Context): { offers: boolean; trades: boolean } {
  switch (ctx.values.only) {
    case undefined:
      return { offers: true, trades: true };
    case "offers":
      return { offers: true, trades: false };
    case "trades":
      return { offers: false, trades: true };
    default:
      throw new UsageError(`--only takes offers or trades, not "${ctx.values.only}"`);
  }
}

/** Sets the pause flags the scope names to `paused`, keeping the others as they are. */
async function setPause(ctx: Context, paused: boolean) {
  const config = await getConfig(ctx.rpc);
  const scope = pauseScope(ctx);
  const offers = scope.offers ? paused : config.newOffersPaused;
  const trades = scope.trades ? paused : config.newTradesPaused;
  const result = await ctx.client.setPause(await ctx.signer(), offers, trades);
  return sent(result, [
    `new offers ${offers ? "paused" : "open"}, new trades ${trades ? "paused" : "open"}`,
  ]);
}

/** `--active true|false`, or `current` when it is not given. */
function activeOption(ctx: Context, current: boolean): boolean {
  switch (ctx.values.active) {
    case undefined:
      return current;
    case "true":
      return true;
    case "false":
      return false;
    default:
      throw new UsageError(`--active takes true or false, not "${ctx.values.active}"`);
  }
}

/** The admin commands, by name. */
export const ADMIN_COMMANDS: Record<string, Command> = {
  config: {
    usage: "config",
    summary: "the protocol settings",
    options: [],
    async run(ctx) {
      const config = await getConfig(ctx.rpc);
      return {
        json: config,
        lines: [
          `admin ${config.admin}`,
          `protocol fee ${formatBps(config.feeBps)} (collected in each mint's fee vault)`,
          `fallback arbiter ${config.fallbackArbiter}  ruling window ${formatDuration(config.rulingWindow)}  default ruling ${formatBps(config.defaultBuyerBps)} to the buyer`,
          `new offers ${config.newOffersPaused ? "paused" : "open"}, new trades ${config.newTradesPaused ? "paused" : "open"}`,
        ],
      };
    },
  },
  arbiter: {
    usage: "arbiter <authority>",
    summary: "an arbiter's fee and record",
    options: [],
    async run(ctx) {
      const authority = toAddress(arg(ctx, 0, "authority"), "<authority>");
      const arbiter = await getArbiter(ctx.rpc, authority);
      return {
        json: arbiter,
        lines: [
          `arbiter ${authority}  ${arbiter.active ? "active" : "inactive"}  fee ${formatBps(arbiter.feeBps)}`,
          `  open cases ${arbiter.openCases}  rulings ${arbiter.rulings}  missed deadlines ${arbiter.missedDeadlines}`,
        ],
      };
    },
  },
  "withdraw-fees": {
    usage: "withdraw-fees --mint MINT --amount AMOUNT --destination TOKEN_ACCOUNT",
    summary: "move protocol fees out of a mint's fee vault (admin)",
    options: ["amount", "destination", "mint"],
    async run(ctx) {
      const mint = await getMintInfo(ctx.rpc, toAddress(option(ctx, "mint"), "--mint"));
      const amount = parseAmount(option(ctx, "amount"), mint.decimals);
      const destination = toAddress(option(ctx, "destination"), "--destination");
      const result = await ctx.client.withdrawFees(
        await ctx.signer(),
        mint.address,
        destination,
        amount,
      );
      return sent(result, [
        `withdrew ${formatAmount(amount, mint.decimals)} of fees to ${destination}`,
      ]);
    },
  },
  "update-config": {
    usage:
      "update-config [--fee-bps N] [--fallback-arbiter ADDRESS] [--ruling-window 2d] [--default-buyer-bps N]",
    summary: "change the protocol settings for trades taken from now on (admin; unnamed ones stay)",
    options: ["fee-bps", "fallback-arbiter", "ruling-window", "default-buyer-bps"],
    async run(ctx) {
      const { values } = ctx;
      const named = ["fee-bps", "fallback-arbiter", "ruling-window", "default-buyer-bps"] as const;
      if (named.every((name) => values[name] === undefined)) {
        throw new UsageError("name at least one setting to change");
      }
      const config = await getConfig(ctx.rpc);
      const params = {
        feeBps:
          values["fee-bps"] !== undefined ? bps(values["fee-bps"], "--fee-bps") : config.feeBps,
        fallbackArbiter:
          values["fallback-arbiter"] !== undefined
            ? toAddress(values["fallback-arbiter"], "--fallback-arbiter")
            : config.fallbackArbiter,
        rulingWindow:
          values["ruling-window"] !== undefined
            ? parseDuration(values["ruling-window"])
            : config.rulingWindow,
        defaultBuyerBps:
          values["default-buyer-bps"] !== undefined
            ? bps(values["default-buyer-bps"], "--default-buyer-bps")
            : config.defaultBuyerBps,
      };
      const result = await ctx.client.updateConfig(await ctx.signer(), params);
      return sent(
        result,
        [
          `protocol fee ${formatBps(params.feeBps)}, fallback arbiter ${params.fallbackArbiter}, ruling window ${formatDuration(params.rulingWindow)}, default ruling ${formatBps(params.defaultBuyerBps)} to the buyer`,
        ],
        { params },
      );
    },
  },
  pause: {
    usage: "pause [--only offers|trades]",
    summary: "stop new offers and new trades, or only one of them (admin; exits never pause)",
    options: ["only"],
    run: (ctx) => setPause(ctx, true),
  },
  resume: {
    usage: "resume [--only offers|trades]",
    summary: "accept new offers and new trades again, or only one of them (admin)",
    options: ["only"],
    run: (ctx) => setPause(ctx, false),
  },
  "propose-admin": {
    usage: "propose-admin <address>",
    summary: "propose a new admin, who must accept (admin)",
    options: [],
    async run(ctx) {
      const newAdmin = toAddress(arg(ctx, 0, "address"), "<address>");
      const result = await ctx.client.proposeAdmin(await ctx.signer(), newAdmin);
      return sent(result, [`proposed ${newAdmin} as admin: it must run accept-admin`]);
    },
  },
  "accept-admin": {
    usage: "accept-admin",
    summary: "become the admin the current admin proposed",
    options: [],
    async run(ctx) {
      const signer = await ctx.signer();
      const result = await ctx.client.acceptAdmin(signer);
      return sent(result, [`${signer.address} is the admin`]);
    },
  },
  "register-arbiter": {
    usage: "register-arbiter <authority> --fee-bps N",
    summary: "register an arbiter with its fee (admin)",
    options: ["fee-bps"],
    async run(ctx) {
      const authority = toAddress(arg(ctx, 0, "authority"), "<authority>");
      const feeBps = bps(option(ctx, "fee-bps"), "--fee-bps");
      const result = await ctx.client.registerArbiter(await ctx.signer(), authority, feeBps);
      return sent(result, [`registered arbiter ${authority} at ${formatBps(feeBps)}`], {
        arbiter: result.address,
      });
    },
  },
  "update-arbiter": {
    usage: "update-arbiter <authority> [--fee-bps N] [--active true|false]",
    summary: "change an arbiter's fee or activity for trades taken from now on (admin)",
    options: ["fee-bps", "active"],
    async run(ctx) {
      const authority = toAddress(arg(ctx, 0, "authority"), "<authority>");
      if (ctx.values["fee-bps"] === undefined && ctx.values.active === undefined) {
        throw new UsageError("name --fee-bps, --active or both");
      }
      const current = await getArbiter(ctx.rpc, authority);
      const feeBps = ctx.values["fee-bps"]
        ? bps(ctx.values["fee-bps"], "--fee-bps")
        : current.feeBps;
      const active = activeOption(ctx, current.active);
      const result = await ctx.client.updateArbiter(await ctx.signer(), authority, feeBps, active);
      return sent(result, [
        `arbiter ${authority}: fee ${formatBps(feeBps)}, ${active ? "active" : "inactive"}`,
      ]);
    },
  },
};
