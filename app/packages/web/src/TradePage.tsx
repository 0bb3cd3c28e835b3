/**
 * A trade: its terms, a timeline of every event, live countdowns to its deadlines, and the actions
 * the connected wallet may take now, and only those.
 */
import { useState } from "react";
import { address, type Address } from "@solana/kit";

import {
  allowedActions,
  arbiterInCharge,
  EscrowError,
  fetchAccountEvents,
  fiatCurrencyCode,
  formatAmount,
  formatFiat,
  formatDuration,
  formatTime,
  getMintInfo,
  getTrade,
  hashBytes,
  hashText,
  MessageKind,
  paymentReference,
  PUBLIC_DISPUTE_GRACE,
  TradeState,
  type AccountEvent,
  type MintInfo,
  type OfferTerms,
  type Trade,
  type TradeAction,
} from "@p2p-escrow/sdk";
import { useChain, useChainTime, useDesk, useOfferTerms } from "./context";
import { Proposals } from "./Proposals";
import { openRoom, roomWallet } from "./room";
import { RoomPanel } from "./RoomPanel";
import { releaseConfirmed, TxStatus, useTransaction } from "./Tx";

/** Actions offered elsewhere on the page: in the trade room and under "End by agreement". */
const ELSEWHERE = new Set<TradeAction>([
  "sendDetails",
  "propose",
  "withdrawProposal",
  "acceptProposal",
]);

function Countdown({
  label,
  deadline,
  now,
}: {
  label: string;
  deadline: bigint;
  now: bigint | null;
}) {
  const left = now === null ? null : deadline - now;
  return (
    <li data-testid="countdown">
      {label}: {formatTime(deadline)}{" "}
      {left !== null &&
        (left >= 0n ? (
          <strong>in {formatDuration(left)}</strong>
        ) : (
          <em>passed {formatDuration(-left)} ago</em>
        ))}
    </li>
  );
}

function describe(entry: AccountEvent, decimals: number): string {
  const { event } = entry;
  const tokens = (v: bigint) => formatAmount(v, decimals);
  switch (event.name) {
    case "tradeTaken":
      return `Taken: ${tokens(event.data.amount)} tokens for ${formatFiat(event.data.fiatAmount)} fiat`;
    case "tradePaid":
      return "Marked paid by the buyer";
    case "tradeReleased":
      return `${
        event.data.attestor.__option === "Some"
          ? `Released on the payment attestor ${event.data.attestor.value}'s attestation`
          : "Released by the seller"
      }: ${tokens(event.data.toBuyer)} to the buyer, protocol fee ${tokens(event.data.protocolFee)}`;
    case "tradeCancelled":
      return "Cancelled by the buyer";
    case "tradeExpired":
      return event.data.unanswered
        ? "Expired unanswered: the seller sent no payment details; bond back to the buyer"
        : "Expired unpaid; bond to the seller";
    case "messagePosted":
      return `Room: ${MessageKind[event.data.kind]} from ${event.data.author}`;
    case "paymentWindowStarted":
      return `Payment details posted: pay by ${formatTime(event.data.paymentDeadline)}`;
    case "endingProposed":
      return `Proposed by ${event.data.proposedBy}: ${tokens(event.data.buyerAmount)} to the buyer`;
    case "proposalWithdrawn":
      return "Proposal withdrawn";
    case "proposalAccepted":
      return `Ended by agreement: ${tokens(event.data.toBuyer)} to the buyer, ${tokens(event.data.toSeller)} back to the offer, protocol fee ${tokens(event.data.protocolFee)}`;
    case "disputeOpened":
      return `Dispute opened by ${event.data.openedBy}`;
    case "evidenceSubmitted":
      return `Evidence from the ${event.data.byBuyer ? "buyer" : "seller"}: ${event.data.uri}`;
    case "disputeEscalated":
      return `Escalated from ${event.data.previousArbiter} to ${event.data.arbiter}`;
    case "payoutHeld":
      return `Held for the buyer's claim: ${tokens(event.data.tokens)} tokens and its rent`;
    case "payoutClaimed":
      return `Claimed by the buyer: ${tokens(event.data.tokens)} tokens`;
    case "disputeResolved":
      return `Resolved (${["ruling", "settlement", "default ruling"][event.data.resolution]}): ${event.data.buyerBps / 100}% to the buyer, ${tokens(event.data.toBuyer)} / ${tokens(event.data.toSeller)}, arbiter fee ${tokens(event.data.arbiterFee)}`;
    default:
      return event.name;
  }
}

type Tx = ReturnType<typeof useTransaction>;

/**
 * The buyer's claim of what waits on a `Settled` trade: to its own token account by default, or
 * to another token account of the mint it names (when its own cannot receive).
 */
function ClaimForm({ tradeAddress, tx }: { tradeAddress: Address; tx: Tx }) {
  const desk = useDesk();
  const [destination, setDestination] = useState("");
  const signer = desk.signer;
  if (!signer) return null;
  const claim = () =>
    tx.run("Claim", (c) =>
      c.claim(signer, tradeAddress, {
        destination: destination.trim() ? address(destination.trim()) : undefined,
      }),
    );
  return (
    <span>
      <input
        name="claim-destination"
        placeholder="token account (default: yours)"
        value={destination}
        onChange={(e) => setDestination(e.target.value)}
      />
      <button disabled={tx.busy} onClick={claim}>
        Claim what waits for you
      </button>
    </span>
  );
}

function Actions({
  tradeAddress,
  trade,
  tx,
  now,
}: {
  tradeAddress: Address;
  trade: Trade;
  tx: Tx;
  /** The chain's time, read once by the trade page. */
  now: bigint | null;
}) {
  const desk = useDesk();
  // The trade's own payment reference, unless the buyer's transfer carried another.
  const [reference, setReference] = useState(() => paymentReference(tradeAddress));
  const [payer, setPayer] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [uri, setUri] = useState("");
  if (now === null) return null;
  const all = allowedActions(trade, desk.me, now);
  const actions = all.filter((action) => !ELSEWHERE.has(action));
  if (!desk.signer) return <p>Connect a wallet to act on this trade.</p>;
  if (all.length === 0)
    return <p data-testid="no-actions">Nothing for your wallet to do on this trade now.</p>;
  if (actions.length === 0) return null;
  const wallet = roomWallet(desk.signer);
  const signer = desk.signer;
  const submitEvidence = async () => {
    if (!file) return;
    const hash = await hashBytes(new Uint8Array(await file.arrayBuffer()));
    await tx.run("Submit evidence", (c) => c.submitEvidence(signer, tradeAddress, hash, uri));
  };
  return (
    <div className="actions" data-testid="actions">
      {actions.includes("markPaid") &&
        (trade.responseDeadline !== 0n && trade.detailsAt === 0n ? (
          <span data-testid="pay-after-details">
            Pay once the seller&apos;s payment details arrive in the trade room.
          </span>
        ) : (
          <span>
            <input
              name="payer"
              placeholder="paying from: name and account"
              value={payer}
              onChange={(e) => setPayer(e.target.value)}
            />
            <input
              name="reference"
              placeholder="payment reference"
              value={reference}
              onChange={(e) => setReference(e.target.value)}
            />
            <button
              disabled={!payer.trim() || !reference || !wallet || tx.busy}
              onClick={async () =>
                tx.run("I have paid", async () => {
                  // The payer the seller matches the payment by, and the mark, in one transaction.
                  const room = await openRoom(desk.client, wallet!, tradeAddress);
                  return room.markPaid(payer.trim(), await hashText(reference));
                })
              }
            >
              I have paid
            </button>
          </span>
        ))}
      {actions.includes("cancel") && (
        <button
          disabled={tx.busy}
          onClick={() => tx.run("Cancel", (c) => c.cancelTrade(signer, tradeAddress))}
        >
          Cancel
        </button>
      )}
      {actions.includes("expire") && (
        <button
          disabled={tx.busy}
          onClick={() => tx.run("Expire", (c) => c.expireTrade(signer, tradeAddress))}
        >
          Expire
        </button>
      )}
      {actions.includes("release") && (
        <button
          disabled={tx.busy}
          onClick={() =>
            releaseConfirmed(trade.state) &&
            tx.run("Release", (c) => c.release(signer, tradeAddress))
          }
        >
          Release
        </button>
      )}
      {actions.includes("openDispute") && (
        <button
          disabled={tx.busy}
          onClick={() => tx.run("Open dispute", (c) => c.openDispute(signer, tradeAddress))}
        >
          Open dispute
        </button>
      )}
      {actions.includes("submitEvidence") && (
        <span>
          <input
            name="evidence-file"
            type="file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <input
            name="evidence-uri"
            placeholder="https://… where the file is"
            value={uri}
            onChange={(e) => setUri(e.target.value)}
          />
          <button disabled={!file || !uri || tx.busy} onClick={submitEvidence}>
            Submit evidence
          </button>
        </span>
      )}
      {actions.includes("rule") && <a href="#/arbiter">Rule in the arbiter console</a>}
      {actions.includes("claim") && <ClaimForm tradeAddress={tradeAddress} tx={tx} />}
      {actions.includes("escalate") && (
        <button
          disabled={tx.busy}
          onClick={() => tx.run("Escalate", (c) => c.escalate(signer, tradeAddress))}
        >
          Escalate
        </button>
      )}
    </div>
  );
}

/**
 * How the trade is paid: its payment reference for the transfer's reference field and, when the
 * offer names a payment attestor, that the attestor releases on the bank's credit.
 */
function PaymentInstructions({
  tradeAddress,
  trade,
  terms,
}: {
  tradeAddress: Address;
  trade: Trade;
  terms: OfferTerms | null;
}) {
  if (trade.state !== TradeState.Locked && trade.state !== TradeState.Paid) return null;
  return (
    <p data-testid="payment-instructions">
      Payment reference{" "}
      <strong data-testid="trade-payment-reference">{paymentReference(tradeAddress)}</strong>: the
      buyer&apos;s transfer carries it in its reference field.{" "}
      {terms?.attestor.__option === "Some" ? (
        <span data-testid="attested-release">
          The offer&apos;s payment attestor <code>{terms.attestor.value}</code> reads the
          seller&apos;s bank statements and releases the tokens once {formatFiat(trade.fiatAmount)}{" "}
          {fiatCurrencyCode(terms.fiatCurrency)} with this reference is booked, without the seller.
        </span>
      ) : (
        "The seller releases the tokens once the money arrives."
      )}
    </p>
  );
}

function OpenTrade({
  tradeAddress,
  trade,
  mint,
  tx,
}: {
  tradeAddress: Address;
  trade: Trade;
  mint: MintInfo;
  tx: Tx;
}) {
  const desk = useDesk();
  const now = useChainTime();
  const terms = useOfferTerms(trade.offer);
  return (
    <>
      <p>
        <strong data-testid="trade-state">{TradeState[trade.state].toLowerCase()}</strong> ·{" "}
        {formatAmount(trade.amount, mint.decimals)} tokens · {formatFiat(trade.fiatAmount)} fiat ·
        bond {formatAmount(trade.buyerBond, 9)} SOL
      </p>
      <p className="small">
        seller <code>{trade.seller}</code> · buyer <code>{trade.buyer}</code> · arbiter in charge{" "}
        <code>{arbiterInCharge(trade)}</code>
      </p>
      {trade.state === TradeState.Settled && (
        <p data-testid="held">
          Ended. {formatAmount(trade.held, mint.decimals)} tokens and the trade&apos;s rent wait for
          the buyer, whose account could not receive them; only the buyer can claim them.
        </p>
      )}
      <ul className="countdowns">
        {trade.state === TradeState.Locked &&
          trade.responseDeadline !== 0n &&
          trade.detailsAt === 0n && (
            <Countdown
              label="Seller's payment details due"
              deadline={trade.responseDeadline}
              now={now}
            />
          )}
        {trade.state === TradeState.Locked && (
          <Countdown
            label={
              trade.responseDeadline !== 0n && trade.detailsAt === 0n
                ? "Payment deadline (at the latest)"
                : "Payment deadline"
            }
            deadline={trade.paymentDeadline}
            now={now}
          />
        )}
        {trade.state === TradeState.Paid && (
          <>
            <Countdown label="Release deadline" deadline={trade.releaseDeadline} now={now} />
            <Countdown
              label="Anyone may dispute"
              deadline={trade.releaseDeadline + PUBLIC_DISPUTE_GRACE}
              now={now}
            />
          </>
        )}
        {trade.dispute.__option === "Some" && trade.state === TradeState.Disputed && (
          <Countdown
            label="Ruling deadline"
            deadline={trade.dispute.value.rulingDeadline}
            now={now}
          />
        )}
      </ul>
      <PaymentInstructions tradeAddress={tradeAddress} trade={trade} terms={terms} />
      <Actions tradeAddress={tradeAddress} trade={trade} tx={tx} now={now} />
      {now !== null && (
        <>
          <Proposals
            tradeAddress={tradeAddress}
            trade={trade}
            mint={mint}
            actions={allowedActions(trade, desk.me, now)}
            tx={tx}
          />
          <RoomPanel
            tradeAddress={tradeAddress}
            trade={trade}
            terms={terms}
            actions={allowedActions(trade, desk.me, now)}
            tx={tx}
          />
        </>
      )}
    </>
  );
}

export function TradePage({ address: text }: { address: string }) {
  const desk = useDesk();
  // Kept here: when an action closes the trade, its confirmation stays on screen.
  const tx = useTransaction();
  const tradeAddress = address(text);
  const data = useChain(
    async () => {
      const timeline = await fetchAccountEvents(desk.rpc, tradeAddress);
      let trade: Trade | null = null;
      try {
        trade = await getTrade(desk.rpc, tradeAddress);
      } catch (error) {
        if (!(error instanceof EscrowError && error.errorName === "TradeNotFound")) throw error;
      }
      const taken = timeline.find((e) => e.event.name === "tradeTaken");
      const mintAddress =
        trade?.mint ?? (taken?.event.name === "tradeTaken" ? taken.event.data.mint : null);
      const mint = mintAddress ? await getMintInfo(desk.rpc, mintAddress) : null;
      return { timeline, trade, mint };
    },
    [text],
    2_000,
  );
  if (data.error) return <p className="tx failed">Cannot read the trade: {data.error.message}</p>;
  if (!data.value) return <p>Loading trade…</p>;
  const { timeline, trade, mint } = data.value;
  if (!mint) return <p>No trade at {text}.</p>;
  return (
    <section>
      <h2>
        Trade <code>{text}</code>
      </h2>
      {trade ? (
        <OpenTrade tradeAddress={tradeAddress} trade={trade} mint={mint} tx={tx} />
      ) : (
        <p data-testid="trade-state">closed</p>
      )}
      <TxStatus state={tx.state} />
      <h3>Timeline</h3>
      <ol className="timeline" data-testid="timeline">
        {timeline.map((entry, i) => (
          <li key={`${entry.signature}-${i}`} data-event={entry.event.name}>
            <time>{entry.blockTime === null ? "" : formatTime(entry.blockTime)}</time>{" "}
            {describe(entry, mint.decimals)}
          </li>
        ))}
      </ol>
    </section>
  );
}
