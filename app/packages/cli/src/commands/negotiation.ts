/**
 * Endings the parties negotiate: a party of a paid or disputed trade proposes how many tokens the
 * buyer gets (the rest returns to the offer, the bond to the buyer; 0 is a collaborative cancel),
 * the other accepts naming the same amount, or the proposer withdraws it.
 */
import { formatAmount, parseAmount, previewProposal, proposalOf } from "@p2p-escrow/sdk";
import { arg, sent, toAddress, tradeMint, UsageError, type Command, type Context } from "../common";

/** The trade named first, its mint, and the amount named second (in tokens). */
async function tradeAndAmount(ctx: Context) {
  const address = toAddress(arg(ctx, 0, "trade"), "<trade>");
  const { trade, mint } = await tradeMint(ctx, address);
  const amount = parseAmount(arg(ctx, 1, "buyer-amount"), mint.decimals);
  if (amount > trade.amount) {
    throw new UsageError(
      `the buyer gets at most the trade's ${formatAmount(trade.amount, mint.decimals)} tokens`,
    );
  }
  const preview = previewProposal(trade, amount);
  const tokens = (value: bigint) => formatAmount(value, mint.decimals);
  const summary =
    amount === 0n
      ? `cancel: all ${tokens(trade.amount)} tokens back to the offer, the bond back to the buyer`
      : `buyer gets ${tokens(preview.toBuyer)} (fee ${tokens(preview.protocolFee)}), ${tokens(preview.toSeller)} back to the offer, the bond back to the buyer`;
  return { address, amount, summary };
}

/** The negotiation commands, by name. */
export const NEGOTIATION_COMMANDS: Record<string, Command> = {
  propose: {
    usage: "propose <trade> <buyer-amount>",
    summary:
      "propose how a paid or disputed trade ends: tokens to the buyer, the rest back (0: cancel)",
    options: [],
    async run(ctx) {
      const { address, amount, summary } = await tradeAndAmount(ctx);
      return sent(
        await ctx.client.proposeEnding(await ctx.signer(), address, amount),
        [`proposed for trade ${address}: ${summary}`],
        { trade: address, buyerAmount: amount },
      );
    },
  },
  accept: {
    usage: "accept <trade> <buyer-amount>",
    summary: "accept the other party's proposal, naming its buyer amount; the trade pays out",
    options: [],
    async run(ctx) {
      const { address, amount, summary } = await tradeAndAmount(ctx);
      const { trade, mint } = await tradeMint(ctx, address);
      const proposal = proposalOf(trade);
      if (!proposal) throw new UsageError(`trade ${address} has no proposal to accept`);
      if (proposal.buyerAmount !== amount) {
        throw new UsageError(
          `the proposal on chain gives the buyer ${formatAmount(proposal.buyerAmount, mint.decimals)} tokens, not ${formatAmount(amount, mint.decimals)}`,
        );
      }
      return sent(
        await ctx.client.acceptProposal(await ctx.signer(), address, amount),
        [`accepted for trade ${address}: ${summary}`],
        { trade: address, buyerAmount: amount, proposedBy: proposal.proposedBy },
      );
    },
  },
  "withdraw-proposal": {
    usage: "withdraw-proposal <trade>",
    summary: "withdraw your own proposal",
    options: [],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.withdrawProposal(await ctx.signer(), trade), [
        `proposal for trade ${trade} withdrawn`,
      ]);
    },
  },
};
