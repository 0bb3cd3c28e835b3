/**
 * Endings the parties negotiate, on a paid or disputed trade's page: the standing proposal with a
 * preview of every amount and its accept or withdraw button, and a form to propose a split (or a
 * cancel) with the same preview before signing.
 */
import { useState } from "react";
import type { Address } from "@solana/kit";

import {
  formatAmount,
  parseAmount,
  previewProposal,
  proposalOf,
  type MintInfo,
  type Trade,
  type TradeAction,
} from "@p2p-escrow/sdk";
import { useDesk } from "./context";
import type { useTransaction } from "./Tx";

function Preview({
  trade,
  buyerAmount,
  mint,
  testId,
}: {
  trade: Trade;
  buyerAmount: bigint;
  mint: MintInfo;
  testId: string;
}) {
  const tokens = (value: bigint) => formatAmount(value, mint.decimals);
  const preview = previewProposal(trade, buyerAmount);
  return (
    <span data-testid={testId}>
      {buyerAmount === 0n ? (
        <>cancel: all {tokens(trade.amount)} tokens back to the offer</>
      ) : (
        <>
          {tokens(preview.toBuyer)} to the buyer (protocol fee {tokens(preview.protocolFee)}),{" "}
          {tokens(preview.toSeller)} back to the offer
        </>
      )}
      , the bond ({formatAmount(preview.bondToBuyer, 9)} SOL) back to the buyer
    </span>
  );
}

export function Proposals({
  tradeAddress,
  trade,
  mint,
  actions,
  tx,
}: {
  tradeAddress: Address;
  trade: Trade;
  mint: MintInfo;
  actions: TradeAction[];
  tx: ReturnType<typeof useTransaction>;
}) {
  const desk = useDesk();
  const [amount, setAmount] = useState("");
  const signer = desk.signer;
  const proposal = proposalOf(trade);
  if (!signer || (!proposal && !actions.includes("propose"))) return null;
  let proposed: bigint | null = null;
  let problem: string | null = null;
  if (amount.trim() !== "") {
    try {
      proposed = parseAmount(amount, mint.decimals);
      if (proposed > trade.amount) {
        problem = `at most the trade's ${formatAmount(trade.amount, mint.decimals)} tokens`;
      }
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  const by = proposal?.proposedBy === trade.buyer ? "buyer" : "seller";
  return (
    <div className="proposals" data-testid="proposals">
      <h3>End by agreement</h3>
      {proposal && (
        <p data-testid="proposal">
          The {by} proposes:{" "}
          <Preview
            trade={trade}
            buyerAmount={proposal.buyerAmount}
            mint={mint}
            testId="proposal-terms"
          />
          .{" "}
          {actions.includes("acceptProposal") && (
            <button
              disabled={tx.busy}
              onClick={() =>
                tx.run("Accept proposal", (c) =>
                  c.acceptProposal(signer, tradeAddress, proposal.buyerAmount),
                )
              }
            >
              Accept this proposal
            </button>
          )}
          {actions.includes("withdrawProposal") && (
            <button
              disabled={tx.busy}
              onClick={() =>
                tx.run("Withdraw proposal", (c) => c.withdrawProposal(signer, tradeAddress))
              }
            >
              Withdraw proposal
            </button>
          )}
        </p>
      )}
      {actions.includes("propose") && (
        <p>
          <input
            name="proposal-amount"
            placeholder="tokens to the buyer"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />{" "}
          {proposed !== null && !problem && (
            <Preview trade={trade} buyerAmount={proposed} mint={mint} testId="proposal-preview" />
          )}
          {problem && <span className="tx failed">{problem}</span>}{" "}
          <button
            disabled={proposed === null || problem !== null || tx.busy}
            onClick={() =>
              tx.run("Propose", (c) => c.proposeEnding(signer, tradeAddress, proposed!))
            }
          >
            Propose
          </button>
          <button
            disabled={tx.busy}
            onClick={() => tx.run("Propose", (c) => c.proposeEnding(signer, tradeAddress, 0n))}
          >
            Propose a cancel
          </button>
        </p>
      )}
    </div>
  );
}
