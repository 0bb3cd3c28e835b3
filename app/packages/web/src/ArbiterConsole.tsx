/**
 * The arbiter console: the connected arbiter's open cases with both sides' evidence, a ruling with
 * a split slider previewing each party's amount, the fee and the bond before signing, and the
 * disputes anyone may escalate because their ruling deadline passed. Each case shows its trade room
 * as the parties disclosed it (every line with its author and the chain's time) and takes the
 * arbiter's private notes to one party; an arbiter without a room key sets it here.
 */
import { useState } from "react";
import type { ReadonlyUint8Array } from "@solana/kit";

import {
  fetchAccountEvents,
  formatAmount,
  formatFiat,
  formatBps,
  formatTime,
  getMaybeArbiter,
  getMintInfo,
  listTrades,
  previewSplit,
  TradeState,
  type Located,
  type Trade,
} from "@p2p-escrow/sdk";
import { useChain, useChainTime, useDesk, useOfferTerms } from "./context";
import { roomWallet } from "./room";
import { RoomPanel } from "./RoomPanel";
import { TxStatus, useTransaction } from "./Tx";

/** An evidence hash in hex, or null for an empty slot. */
const hex = (bytes: ReadonlyUint8Array) =>
  bytes.every((b) => b === 0)
    ? null
    : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function Case({ trade, tx }: { trade: Located<Trade>; tx: ReturnType<typeof useTransaction> }) {
  const desk = useDesk();
  const [bps, setBps] = useState(5_000);
  const terms = useOfferTerms(trade.data.offer);
  const details = useChain(async () => {
    const mint = await getMintInfo(desk.rpc, trade.data.mint);
    const timeline = await fetchAccountEvents(desk.rpc, trade.address);
    const uris = { buyer: "", seller: "" };
    for (const { event } of timeline) {
      if (event.name === "evidenceSubmitted")
        uris[event.data.byBuyer ? "buyer" : "seller"] = event.data.uri;
    }
    return { mint, uris };
  }, [trade.address]);
  if (!details.value || trade.data.dispute.__option !== "Some") return null;
  const dispute = trade.data.dispute.value;
  const { mint, uris } = details.value;
  const tokens = (v: bigint) => formatAmount(v, mint.decimals);
  const preview = previewSplit(trade.data, bps);
  const evidence = (who: "buyer" | "seller", hash: string | null) =>
    hash ? (
      <>
        <code>{hash.slice(0, 16)}…</code> at <a href={uris[who]}>{uris[who]}</a>
      </>
    ) : (
      "none yet"
    );
  return (
    <article className="case" data-testid="case" data-trade={trade.address}>
      <h3>
        <a href={`#/trade/${trade.address}`}>Trade {trade.address.slice(0, 12)}…</a> ·{" "}
        {tokens(trade.data.amount)} tokens · {formatFiat(trade.data.fiatAmount)} fiat
      </h3>
      <p className="small">
        Opened by <code>{dispute.openedBy}</code> at {formatTime(dispute.openedAt)} · rule by{" "}
        {formatTime(dispute.rulingDeadline)}
        {dispute.escalated ? " · escalated" : ""}
      </p>
      <ul>
        <li data-testid="buyer-evidence">
          Buyer's evidence: {evidence("buyer", hex(dispute.buyerEvidence))}
        </li>
        <li data-testid="seller-evidence">
          Seller's evidence: {evidence("seller", hex(dispute.sellerEvidence))}
        </li>
      </ul>
      <label>
        Buyer's share <strong data-testid="split-bps">{formatBps(bps)}</strong>
        <input
          name="split"
          type="range"
          min={0}
          max={10_000}
          step={100}
          value={bps}
          onChange={(e) => setBps(Number(e.target.value))}
        />
      </label>
      <dl className="terms" data-testid="preview">
        <dt>Arbiter fee ({formatBps(trade.data.arbiterFeeBps)})</dt>
        <dd data-testid="preview-fee">{tokens(preview.arbiterFee)}</dd>
        <dt>To the buyer</dt>
        <dd data-testid="preview-buyer">{tokens(preview.toBuyer)}</dd>
        <dt>Back to the seller's offer</dt>
        <dd data-testid="preview-seller">{tokens(preview.toSeller)}</dd>
        <dt>Bond ({formatAmount(trade.data.buyerBond, 9)} SOL)</dt>
        <dd data-testid="preview-bond">to the {preview.bondTo}</dd>
      </dl>
      <button
        disabled={tx.busy}
        onClick={() => tx.run("Rule", (c) => c.rule(desk.signer!, trade.address, bps))}
      >
        Rule {formatBps(bps)} to the buyer
      </button>
      <RoomPanel
        tradeAddress={trade.address}
        trade={trade.data}
        terms={terms}
        actions={[]}
        tx={tx}
      />
    </article>
  );
}

function Escalations() {
  const desk = useDesk();
  const now = useChainTime();
  const tx = useTransaction();
  const disputed = useChain(() => listTrades(desk.rpc, { state: TradeState.Disputed }), []);
  if (now === null || !disputed.value) return null;
  const overdue = disputed.value.filter(
    (t) => t.data.dispute.__option === "Some" && now > t.data.dispute.value.rulingDeadline,
  );
  return (
    <section>
      <h3>Missed ruling deadlines</h3>
      {overdue.length === 0 && <p>None: every dispute is within its ruling window.</p>}
      <ul>
        {overdue.map((t) => (
          <li key={t.address} data-testid="overdue">
            <a href={`#/trade/${t.address}`}>{t.address.slice(0, 12)}…</a>{" "}
            <button
              disabled={!desk.signer || tx.busy}
              onClick={() => tx.run("Escalate", (c) => c.escalate(desk.signer!, t.address))}
            >
              Escalate
            </button>
          </li>
        ))}
      </ul>
      <TxStatus state={tx.state} />
    </section>
  );
}

export function ArbiterConsole() {
  const desk = useDesk();
  // Kept here, not in a case: a ruled case leaves the list, its confirmation stays on screen.
  const tx = useTransaction();
  const data = useChain(
    async () => {
      if (!desk.me) return null;
      const arbiter = await getMaybeArbiter(desk.rpc, desk.me);
      const cases = await listTrades(desk.rpc, { arbiter: desk.me, state: TradeState.Disputed });
      return { arbiter, cases };
    },
    [desk.me],
    2_000,
  );
  return (
    <section>
      <h2>Arbiter console</h2>
      {!desk.me && <p>Connect the arbiter's wallet to see its cases.</p>}
      {data.value && !data.value.arbiter && <p>This wallet is not a registered arbiter.</p>}
      {data.value?.arbiter && (
        <>
          <p>
            Fee {formatBps(data.value.arbiter.feeBps)} · {data.value.arbiter.openCases.toString()}{" "}
            open cases · {data.value.arbiter.rulings.toString()} rulings ·{" "}
            {data.value.arbiter.missedDeadlines.toString()} missed deadlines
          </p>
          {data.value.arbiter.roomKey.every((byte) => byte === 0) && (
            <p data-testid="no-room-key">
              Parties cannot disclose their rooms to you yet.{" "}
              <button
                disabled={!roomWallet(desk.signer) || tx.busy}
                onClick={() =>
                  tx.run("Set room key", (c) => c.setArbiterRoomKey(roomWallet(desk.signer)!))
                }
              >
                Set my room key
              </button>
            </p>
          )}
          {data.value.cases.length === 0 && <p>No open cases.</p>}
          <TxStatus state={tx.state} />
          {data.value.cases.map((t) => (
            <Case key={t.address} trade={t} tx={tx} />
          ))}
        </>
      )}
      <Escalations />
    </section>
  );
}
