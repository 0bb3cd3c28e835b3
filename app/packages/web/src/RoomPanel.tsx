/**
 * A trade's room on its page, end to end encrypted on chain (`TradeRoom`): the seller's payment
 * details for the buyer with a copy button, the seller's form to send them, every line with its
 * author and the chain's time, a chat box for the parties, their disclosure to the arbiter in a
 * dispute, and the arbiter's notes to one party. Read again every two seconds.
 */
import { useEffect, useState } from "react";
import type { Address } from "@solana/kit";

import {
  arbiterInCharge,
  detailsForMethod,
  fiatCurrencyCode,
  formatFiat,
  formatTime,
  MessageKind,
  paymentDetailsMessage,
  paymentReference,
  TradeState,
  type OfferTerms,
  type RoomLine,
  type Trade,
  type TradeAction,
} from "@p2p-escrow/sdk";
import { useChain, useDesk } from "./context";
import { markRead, readDetails, roomWallet, useRoom } from "./room";
import type { useTransaction } from "./Tx";

type Tx = ReturnType<typeof useTransaction>;

const KIND_LABEL: Record<MessageKind, string> = {
  [MessageKind.Chat]: "",
  [MessageKind.PaymentDetails]: "payment details",
  [MessageKind.PayerDeclaration]: "pays from",
  [MessageKind.Disclosure]: "disclosure",
  [MessageKind.ArbiterNote]: "note",
};

function Line({ line }: { line: RoomLine }) {
  const label = KIND_LABEL[line.kind];
  const what =
    line.kind === MessageKind.Disclosure ? (
      <em>disclosed the room to the arbiter</em>
    ) : line.text !== undefined ? (
      line.text
    ) : (
      <em>({line.unreadable})</em>
    );
  return (
    <li
      data-testid="line"
      data-kind={MessageKind[line.kind]}
      data-role={line.authorRole}
      className={`line ${line.authorRole}`}
    >
      <time>{formatTime(line.postedAt)}</time> <strong>{line.authorRole}</strong>{" "}
      <code title={line.author}>{line.author.slice(0, 6)}…</code>
      {label && <span className="kind"> {label}</span>}: {what}
      {line.unverified && <span className="unverified"> (unverified: only its author's key)</span>}
    </li>
  );
}

/** The seller sends the details of the offer's payment method (kept in this browser) or others. */
function DetailsForm({
  terms,
  send,
  tx,
}: {
  terms: OfferTerms | null;
  send: (text: string) => void;
  tx: Tx;
}) {
  const desk = useDesk();
  const method = terms?.paymentTermsHash;
  const saved = useChain(
    async () => (desk.me && method ? detailsForMethod(readDetails(desk.me), method) : null),
    [method, desk.me],
  );
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? saved.value?.text ?? "";
  return (
    <p className="details-form">
      <textarea
        name="payment-details"
        placeholder="where the buyer pays: account, name, reference"
        value={shown}
        onChange={(e) => setText(e.target.value)}
      />
      <button disabled={!shown.trim() || tx.busy} onClick={() => send(shown)}>
        Send payment details
      </button>
    </p>
  );
}

export function RoomPanel({
  tradeAddress,
  trade,
  terms,
  actions,
  tx,
}: {
  tradeAddress: Address;
  trade: Trade;
  /** The offer's terms (null once it is closed): the currency paid, the payment method. */
  terms: OfferTerms | null;
  actions: TradeAction[];
  tx: Tx;
}) {
  const desk = useDesk();
  const me = desk.me;
  const party = me === trade.buyer || me === trade.seller;
  const arbiter = trade.state === TradeState.Disputed && me === arbiterInCharge(trade);
  const { room, error } = useRoom(tradeAddress, party || arbiter);
  const lines = useChain(() => (room ? room.read() : Promise.resolve(null)), [room], 2_000);
  const [chat, setChat] = useState("");
  const [note, setNote] = useState("");
  const [noteTo, setNoteTo] = useState<"buyer" | "seller">("buyer");
  const [copied, setCopied] = useState(false);
  const latest = lines.value?.at(-1)?.postedAt;
  useEffect(() => {
    if (me && latest !== undefined) markRead(me, tradeAddress, latest);
  }, [me, tradeAddress, latest]);
  if (!party && !arbiter) return null;
  if (!roomWallet(desk.signer)) {
    return <p>The trade room needs a wallet that signs messages (its keys come from them).</p>;
  }
  const details = lines.value
    ?.filter((line) => line.kind === MessageKind.PaymentDetails && line.text !== undefined)
    .at(-1);
  const post = (label: string, action: () => ReturnType<NonNullable<typeof room>["send"]>) =>
    tx.run(label, () => action());
  const copy = (text: string) =>
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <section className="room" data-testid="room">
      <h3>Trade room</h3>
      {error && <p className="tx failed">{error}</p>}
      {me === trade.buyer &&
        (details?.text !== undefined ? (
          <div className="payment-details">
            Pay {formatFiat(trade.fiatAmount)} {terms ? fiatCurrencyCode(terms.fiatCurrency) : ""}{" "}
            to: <strong data-testid="payment-details">{details.text}</strong>{" "}
            <button onClick={() => copy(details.text!)}>{copied ? "Copied" : "Copy"}</button>
            <br />
            Put <strong data-testid="payment-reference">{paymentReference(tradeAddress)}</strong> in
            your transfer&apos;s reference field.
          </div>
        ) : (
          trade.state === TradeState.Locked && (
            <p data-testid="waiting-details">
              Waiting for the seller&apos;s payment details
              {trade.responseDeadline !== 0n && ` (due by ${formatTime(trade.responseDeadline)})`}.
            </p>
          )
        ))}
      {me === trade.seller && actions.includes("sendDetails") && room && (
        <DetailsForm
          terms={terms}
          tx={tx}
          send={(text) =>
            void post("Send payment details", () =>
              room.send(paymentDetailsMessage(text, tradeAddress), MessageKind.PaymentDetails),
            )
          }
        />
      )}
      <ol className="lines" data-testid="lines">
        {(lines.value ?? []).map((line) => (
          <Line key={line.signature} line={line} />
        ))}
      </ol>
      {lines.value?.length === 0 && <p>No messages yet.</p>}
      {party && room && trade.state !== TradeState.Settled && (
        <p>
          <input
            name="chat"
            placeholder="write to the other party (encrypted)"
            value={chat}
            onChange={(e) => setChat(e.target.value)}
          />
          <button
            disabled={!chat.trim() || tx.busy}
            onClick={async () => {
              if (await post("Send", () => room.send(chat))) setChat("");
            }}
          >
            Send
          </button>
          {trade.state === TradeState.Disputed && (
            <button disabled={tx.busy} onClick={() => post("Disclose", () => room.disclose())}>
              Disclose the room to the arbiter
            </button>
          )}
        </p>
      )}
      {arbiter && room && (
        <p>
          <select
            name="note-to"
            value={noteTo}
            onChange={(e) => setNoteTo(e.target.value as "buyer" | "seller")}
          >
            <option value="buyer">to the buyer</option>
            <option value="seller">to the seller</option>
          </select>
          <input
            name="note"
            placeholder="a private note to one party"
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <button
            disabled={!note.trim() || tx.busy}
            onClick={async () => {
              if (await post("Send note", () => room.note(noteTo, note))) setNote("");
            }}
          >
            Send note
          </button>
        </p>
      )}
    </section>
  );
}
