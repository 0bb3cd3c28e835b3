/**
 * `deploy`: initializes p2p-escrow on a cluster once the program is deployed (`anchor deploy`):
 * creates the config, signed by the program's upgrade authority (who becomes the admin), and
 * registers arbiters. Safe to run again: an existing config is reported, not changed, and
 * registered arbiters are skipped.
 */
import { getMaybeArbiter, getMaybeConfig, parseDuration, type Address } from "@p2p-escrow/sdk";

import { bps, option, toAddress, UsageError, type Command, type Context } from "../common";

/** The settings `deploy` applies; unnamed ones take the defaults its usage lists. */
type DeployPlan = {
  fallbackArbiter: Address;
  feeBps: number;
  /** Seconds an arbiter has to rule. */
  rulingWindow: bigint;
  defaultBuyerBps: number;
  arbiters: { authority: Address; feeBps: number }[];
};

function deployPlan(ctx: Context): DeployPlan {
  const { values } = ctx;
  const plan = {
    fallbackArbiter: toAddress(option(ctx, "fallback-arbiter"), "--fallback-arbiter"),
    feeBps: bps(values["fee-bps"] ?? "50", "--fee-bps"),
    rulingWindow: parseDuration(values["ruling-window"] ?? "2d"),
    defaultBuyerBps: bps(values["default-buyer-bps"] ?? "5000", "--default-buyer-bps"),
    arbiters: (values["register-arbiter"] ?? []).map((entry) => {
      const [authority, fee, ...rest] = entry.split(":");
      if (!authority || fee === undefined || rest.length) {
        throw new UsageError(`--register-arbiter ${entry}: use ADDRESS:FEE_BPS`);
      }
      return {
        authority: toAddress(authority, "--register-arbiter"),
        feeBps: bps(fee, "--register-arbiter's fee"),
      };
    }),
  };
  const named = plan.arbiters.map((arbiter) => arbiter.authority);
  const twice = named.find((authority, i) => named.indexOf(authority) !== i);
  if (twice) throw new UsageError(`--register-arbiter names ${twice} more than once`);
  return plan;
}

/** The deployment command, by name. */
export const DEPLOY_COMMANDS: Record<string, Command> = {
  deploy: {
    usage:
      "deploy --fallback-arbiter ADDRESS [--fee-bps 50] [--ruling-window 2d] [--default-buyer-bps 5000] [--register-arbiter ADDRESS:FEE_BPS ...]",
    summary:
      "create the config as the program's upgrade authority and register arbiters (safe to run again)",
    options: [
      "fallback-arbiter",
      "fee-bps",
      "ruling-window",
      "default-buyer-bps",
      "register-arbiter",
    ],
    async run(ctx) {
      const plan = deployPlan(ctx);
      const authority = await ctx.signer();
      const lines: string[] = [];
      const steps: Record<string, unknown>[] = [];
      const existing = await getMaybeConfig(ctx.rpc);
      if (existing) {
        const same =
          existing.fallbackArbiter === plan.fallbackArbiter &&
          existing.feeBps === plan.feeBps &&
          existing.rulingWindow === plan.rulingWindow &&
          existing.defaultBuyerBps === plan.defaultBuyerBps;
        lines.push(
          same
            ? "config: already initialized with these settings"
            : "config: already initialized with other settings (the admin changes them with update-config)",
        );
        steps.push({ step: "config", done: false, sameSettings: same });
      } else {
        const sent = await ctx.client.initializeConfig(authority, {
          feeBps: plan.feeBps,
          fallbackArbiter: plan.fallbackArbiter,
          rulingWindow: plan.rulingWindow,
          defaultBuyerBps: plan.defaultBuyerBps,
        });
        lines.push(`config: initialized by ${authority.address} (${sent.signature})`);
        steps.push({ step: "config", done: true, signature: sent.signature });
      }
      for (const arbiter of plan.arbiters) {
        if (await getMaybeArbiter(ctx.rpc, arbiter.authority)) {
          lines.push(`arbiter ${arbiter.authority}: already registered`);
          steps.push({ step: "arbiter", authority: arbiter.authority, done: false });
          continue;
        }
        const sent = await ctx.client.registerArbiter(authority, arbiter.authority, arbiter.feeBps);
        lines.push(
          `arbiter ${arbiter.authority}: registered at ${arbiter.feeBps} bps (${sent.signature})`,
        );
        steps.push({
          step: "arbiter",
          authority: arbiter.authority,
          done: true,
          signature: sent.signature,
        });
      }
      return { json: { steps }, lines };
    },
  },
};
