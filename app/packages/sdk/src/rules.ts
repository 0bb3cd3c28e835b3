/**
 * What the program allows, for front ends to offer only the actions that can succeed: who may do
 * what to a trade and when, and what a ruling pays each party. The program stays the authority;
 * the SDK tests check these against its answers.
 */
import type { Address, ReadonlyUint8Array } from "@solana/kit";

import { TradeState, type Proposal, type Trade } from "./generated";
import { arbiterInCharge } from "./accounts";

/** After the release deadline plus this grace, anyone may open a dispute (`PUBLIC_DISPUTE_GRACE`). */
export const PUBLIC_DISPUTE_GRACE = 7n * 24n * 60n * 60n;

const BPS_DENOMINATOR = 10_000n;

export type TradeAction =
  | "markPaid"
  | "cancel"
  | "expire"
  | "release"
  | "openDispute"
  | "submitEvidence"
  | "rule"
  | "escalate"
  | "claim"
  | "sendDetails"
  | "propose"
  | "withdrawProposal"
  | "acceptProposal";

/**
 * Whether the seller let `trade`'s response window pass without payment details by `now` (unix
 * seconds): anyone may then expire it, the bond back to the buyer (the program's
 * `Trade::unanswered`).
 */
export function unanswered(trade: Trade, now: bigint): boolean {
  return (
    trade.state === TradeState.Locked &&
    trade.responseDeadline !== 0n &&
    trade.detailsAt === 0n &&
    now > trade.responseDeadline
  );
}

/** The proposed ending of `trade`, if any. */
export function proposalOf(trade: Trade): Proposal | null {
  return trade.proposal.__option === "Some" ? trade.proposal.value : null;
}

/** The actions `me` may take on `trade` at chain time `now` (unix seconds). */
export function allowedActions(trade: Trade, me: Address | null, now: bigint): TradeAction[] {
  if (!me) return [];
  const actions: TradeAction[] = [];
  const isBuyer = me === trade.buyer;
  const isSeller = me === trade.seller;
  if (trade.state === TradeState.Settled) return isBuyer ? ["claim"] : [];
  if (isSeller) actions.push("release");
  switch (trade.state) {
    case TradeState.Locked: {
      const silent = unanswered(trade, now);
      if (isBuyer && now <= trade.paymentDeadline) actions.push("markPaid", "cancel");
      if (isSeller && !silent) actions.push("sendDetails");
      const waiting = trade.responseDeadline !== 0n && trade.detailsAt === 0n;
      if (silent || (!waiting && now > trade.paymentDeadline)) actions.push("expire");
      break;
    }
    case TradeState.Paid: {
      const publicAfter = trade.releaseDeadline + PUBLIC_DISPUTE_GRACE;
      if (isSeller || (isBuyer && now > trade.releaseDeadline) || now > publicAfter) {
        actions.push("openDispute");
      }
      break;
    }
    case TradeState.Disputed: {
      if (trade.dispute.__option !== "Some") break;
      const dispute = trade.dispute.value;
      const empty = (slot: ReadonlyUint8Array) => slot.every((byte) => byte === 0);
      if (
        (isBuyer && empty(dispute.buyerEvidence)) ||
        (isSeller && empty(dispute.sellerEvidence))
      ) {
        actions.push("submitEvidence");
      }
      if (me === arbiterInCharge(trade) && now <= dispute.rulingDeadline) actions.push("rule");
      if (now > dispute.rulingDeadline) actions.push("escalate");
      break;
    }
  }
  if ((isBuyer || isSeller) && trade.state !== TradeState.Locked) {
    actions.push("propose");
    const proposal = proposalOf(trade);
    if (proposal?.proposedBy === me) actions.push("withdrawProposal");
    if (proposal && proposal.proposedBy !== me) actions.push("acceptProposal");
  }
  return actions;
}

/** What accepting a proposal pays (the program's `TradeEnd::pay_out`); the bond always returns. */
export type ProposalPreview = {
  /** Tokens (base units) the buyer receives. */
  toBuyer: bigint;
  /** The protocol fee fixed at take, on the buyer's share (base units). */
  protocolFee: bigint;
  /** Tokens (base units) that return to the offer's available amount. */
  toSeller: bigint;
  /**
   * The buyer's bond (lamports), returned to the buyer (with its claim, when the buyer's share has
   * to wait in the trade's holding account).
   */
  bondToBuyer: bigint;
};

/**
 * What a proposal giving the buyer `buyerAmount` base units of `trade` pays. Throws a `RangeError`
 * when `buyerAmount` is negative or above the trade's amount (the program's
 * `ProposalExceedsAmount`).
 */
export function previewProposal(trade: Trade, buyerAmount: bigint): ProposalPreview {
  if (buyerAmount < 0n || buyerAmount > trade.amount) {
    throw new RangeError(`a proposal gives the buyer 0 to ${trade.amount} base units`);
  }
  const protocolFee = (buyerAmount * BigInt(trade.feeBps)) / BPS_DENOMINATOR;
  return {
    toBuyer: buyerAmount - protocolFee,
    protocolFee,
    toSeller: trade.amount - buyerAmount,
    bondToBuyer: trade.buyerBond,
  };
}

/** What a split of a disputed trade pays: the program's `split`, then the bond's destination. */
export type SplitPreview = {
  arbiterFee: bigint;
  toBuyer: bigint;
  toSeller: bigint;
  /** The bond returns to the buyer unless the buyer gets nothing. */
  bondTo: "buyer" | "seller";
};

/** The split of `trade` with `buyerBps` to the buyer; `withArbiterFee` is false for a settlement. */
export function previewSplit(trade: Trade, buyerBps: number, withArbiterFee = true): SplitPreview {
  const arbiterFee = withArbiterFee
    ? (trade.amount * BigInt(trade.arbiterFeeBps)) / BPS_DENOMINATOR
    : 0n;
  const rest = trade.amount - arbiterFee;
  const toBuyer = (rest * BigInt(buyerBps)) / BPS_DENOMINATOR;
  return {
    arbiterFee,
    toBuyer,
    toSeller: rest - toBuyer,
    bondTo: buyerBps === 0 ? "seller" : "buyer",
  };
}
