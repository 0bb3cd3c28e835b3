/** Runs a transaction from a button and shows its progress until confirmed, or its named error. */
import { useState } from "react";

import {
  describeError,
  EscrowClient,
  TradeState,
  type ActionResult,
  type TransactionProgress,
} from "@p2p-escrow/sdk";
import { useDesk } from "./context";

export type TxState =
  | { kind: "idle" }
  | { kind: "pending"; label: string; progress: string }
  | { kind: "done"; label: string; signature: string }
  | { kind: "failed"; label: string; name: string; message: string };

function describeProgress(progress: TransactionProgress): string {
  switch (progress.stage) {
    case "signing":
      return "waiting for the wallet's signature…";
    case "sending":
      return `sending ${progress.signature.slice(0, 8)}…`;
    case "confirming":
      return `confirming ${progress.signature.slice(0, 8)}… (block ${progress.blockHeight})`;
    case "confirmed":
      return `confirmed in slot ${progress.slot}`;
  }
}

/** `run(label, action)` sends one action with the connected wallet and tracks it. */
export function useTransaction() {
  const desk = useDesk();
  const [state, setState] = useState<TxState>({ kind: "idle" });
  async function run(
    label: string,
    action: (client: EscrowClient) => Promise<ActionResult>,
  ): Promise<ActionResult | null> {
    setState({ kind: "pending", label, progress: "preparing…" });
    const client = desk.client.with({
      onProgress: (progress) =>
        setState({ kind: "pending", label, progress: describeProgress(progress) }),
    });
    try {
      const result = await action(client);
      setState({ kind: "done", label, signature: result.signature });
      desk.refresh();
      return result;
    } catch (error) {
      const described = describeError(error);
      setState({ kind: "failed", label, name: described.name, message: described.message });
      return null;
    }
  }
  return { state, run, busy: state.kind === "pending" };
}

export function TxStatus({ state }: { state: TxState }) {
  switch (state.kind) {
    case "idle":
      return null;
    case "pending":
      return (
        <p className="tx pending" role="status">
          {state.label}: {state.progress}
        </p>
      );
    case "done":
      return (
        <p className="tx done" role="status">
          {state.label}: confirmed <code>{state.signature.slice(0, 16)}…</code>
        </p>
      );
    case "failed":
      return (
        <p className="tx failed" role="alert">
          {state.label} refused: <strong className="error-name">{state.name}</strong>:{" "}
          {state.message}
        </p>
      );
  }
}

/**
 * Whether the seller goes on with a release of a trade in `state`: a trade the buyer has not marked
 * paid is released only after a confirmation that names the risk.
 */
export function releaseConfirmed(state: TradeState): boolean {
  return (
    state !== TradeState.Locked ||
    window.confirm(
      "The buyer has not marked this trade paid. Release only if the money is in your account: a release cannot be undone. Release now?",
    )
  );
}
