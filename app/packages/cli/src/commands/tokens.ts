/** Token commands for tests, demos and local chains: creating a mint and minting. */

import {
  createMint,
  getMintInfo,
  mintTo,
  TOKEN_2022_PROGRAM_ADDRESS,
  formatAmount,
  parseAmount,
} from "@p2p-escrow/sdk";
import { Command, arg, option, toAddress, bps, wholeNumber } from "../common";

/** The tokens commands, by name. */
export const TOKENS_COMMANDS: Record<string, Command> = {
  "create-mint": {
    usage:
      "create-mint [--decimals 6] [--token-2022] [--transfer-fee-bps N --transfer-fee-max AMOUNT]",
    summary: "create a token mint with the --keypair as mint authority (tests, demos)",
    options: ["decimals", "token-2022", "transfer-fee-bps", "transfer-fee-max"],
    async run(ctx) {
      const signer = await ctx.signer();
      const decimals = wholeNumber(ctx.values.decimals ?? "6", "--decimals", 0, 18);
      const feeBps = ctx.values["transfer-fee-bps"];
      const transferFee =
        feeBps === undefined
          ? undefined
          : {
              bps: bps(feeBps, "--transfer-fee-bps"),
              maximum: parseAmount(option(ctx, "transfer-fee-max"), decimals),
            };
      const mint = await createMint(
        ctx.rpc,
        {
          payer: signer,
          mintAuthority: signer.address,
          decimals,
          tokenProgram:
            ctx.values["token-2022"] || transferFee ? TOKEN_2022_PROGRAM_ADDRESS : undefined,
          transferFee,
        },
        ctx.client.sendOptions,
      );
      return {
        json: mint,
        lines: [`mint ${mint.address} (${decimals} decimals, program ${mint.tokenProgram})`],
      };
    },
  },
  "mint-to": {
    usage: "mint-to <mint> <owner> <amount>",
    summary: "mint tokens to an owner's associated token account (--keypair is the mint authority)",
    options: [],
    async run(ctx) {
      const signer = await ctx.signer();
      const mint = await getMintInfo(ctx.rpc, toAddress(arg(ctx, 0, "mint"), "<mint>"));
      const owner = toAddress(arg(ctx, 1, "owner"), "<owner>");
      const amount = parseAmount(arg(ctx, 2, "amount"), mint.decimals);
      const account = await mintTo(
        ctx.rpc,
        { payer: signer, mintAuthority: signer, mint, owner, amount },
        ctx.client.sendOptions,
      );
      return {
        json: { account, amount },
        lines: [`minted ${formatAmount(amount, mint.decimals)} to ${owner} (${account})`],
      };
    },
  },
};
