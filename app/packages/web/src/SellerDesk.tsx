/** A seller's desk: create an offer; fund, pause, withdraw and close offers; release trades. */
import { useState } from "react";
import { address } from "@solana/kit";

import {
  fiatCurrencyCode,
  formatAmount,
  formatFiat,
  formatBps,
  getMintInfo,
  hashText,
  listArbiters,
  listOffers,
  listTrades,
  OfferStatus,
  parseAmount,
  parseDuration,
  MAX_PAYMENT_DETAILS_LENGTH,
  TradeState,
  type Located,
  type MintInfo,
  type Offer,
} from "@p2p-escrow/sdk";
import { useChain, useDesk } from "./context";
import { readDetails, writeDetails } from "./room";
import { releaseConfirmed, TxStatus, useTransaction } from "./Tx";

function CreateOffer() {
  const desk = useDesk();
  const tx = useTransaction();
  const arbiters = useChain(() => listArbiters(desk.rpc), [desk.rpc]);
  const [form, setForm] = useState({
    mint: "",
    amount: "",
    price: "1.00",
    currency: "USD",
    min: "10",
    max: "500",
    responseWindow: "15m",
    paymentWindow: "30m",
    releaseWindow: "1h",
    arbiter: "",
    attestor: "",
    bond: "0.01",
    paymentTerms: "",
  });
  const [problem, setProblem] = useState<string | null>(null);
  const field = (name: keyof typeof form, label: string) => (
    <label>
      {label}{" "}
      <input
        name={name}
        value={form[name]}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
    </label>
  );
  const submit = async () => {
    if (!desk.signer) return;
    setProblem(null);
    let input;
    try {
      if (!form.paymentTerms.trim() && parseDuration(form.responseWindow) !== 0n) {
        throw new Error(
          "name the payment method: with a response window, your desk answers takes with its details",
        );
      }
      const mint = await getMintInfo(desk.rpc, address(form.mint));
      const amount = (text: string) => parseAmount(text, mint.decimals);
      input = {
        mint: mint.address,
        amount: amount(form.amount),
        terms: {
          minTradeAmount: amount(form.min),
          maxTradeAmount: amount(form.max),
          price: parseAmount(form.price, 2),
          fiatCurrency: form.currency,
          paymentTermsHash: await hashText(form.paymentTerms.trim()),
          paymentWindow: parseDuration(form.paymentWindow),
          responseWindow: parseDuration(form.responseWindow),
          releaseWindow: parseDuration(form.releaseWindow),
          arbiter: address(form.arbiter),
          attestor: form.attestor ? address(form.attestor) : undefined,
          buyerBond: parseAmount(form.bond, 9),
        },
      };
    } catch (error) {
      setProblem((error as Error).message);
      return;
    }
    await tx.run("Create offer", (client) => client.createOffer(desk.signer!, input));
  };
  return (
    <section className="create-offer">
      <h3>New offer</h3>
      <div className="form">
        {field("mint", "Mint")}
        {field("amount", "Amount to lock")}
        {field("price", "Price (fiat per token)")}
        {field("currency", "Currency")}
        {field("min", "Minimum trade")}
        {field("max", "Maximum trade")}
        {field("responseWindow", "Response window (0: none)")}
        {field("paymentWindow", "Payment window")}
        {field("releaseWindow", "Release window")}
        <label>
          Arbiter{" "}
          <select
            name="arbiter"
            value={form.arbiter}
            onChange={(e) => setForm({ ...form, arbiter: e.target.value })}
          >
            <option value="">choose…</option>
            {(arbiters.value ?? [])
              .filter((a) => a.data.active)
              .map((a) => (
                <option key={a.address} value={a.data.authority}>
                  {a.data.authority} ({formatBps(a.data.feeBps)})
                </option>
              ))}
          </select>
        </label>
        {field("attestor", "Payment attestor (optional)")}
        {field("bond", "Buyer bond (SOL)")}
        {field("paymentTerms", "Payment method (as named in your payment details)")}
      </div>
      {problem && <p className="tx failed">{problem}</p>}
      <button disabled={!desk.signer || tx.busy} onClick={submit}>
        Create offer
      </button>
      <TxStatus state={tx.state} />
    </section>
  );
}

function OfferCard({
  offer,
  mint,
  tx,
}: {
  offer: Located<Offer>;
  mint: MintInfo;
  tx: ReturnType<typeof useTransaction>;
}) {
  const desk = useDesk();
  const [amount, setAmount] = useState("");
  const trades = useChain(
    () => listTrades(desk.rpc, { offer: offer.address }),
    [offer.address],
    3_000,
  );
  const fmt = (v: bigint) => formatAmount(v, mint.decimals);
  const paused = offer.data.status === OfferStatus.Paused;
  const parsed = () => parseAmount(amount, mint.decimals);
  return (
    <article className="offer" data-testid="my-offer" data-offer={offer.address}>
      <h3>
        Offer #{offer.data.offerId.toString()} · {formatFiat(offer.data.terms.price)}{" "}
        {fiatCurrencyCode(offer.data.terms.fiatCurrency)} · {paused ? "paused" : "open"}
      </h3>
      <p>
        Available <strong data-testid="available">{fmt(offer.data.available)}</strong> · locked{" "}
        {fmt(offer.data.locked)} · <code>{offer.address}</code>
      </p>
      <div className="actions">
        <input
          name="offer-amount"
          placeholder="amount"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <button
          disabled={tx.busy}
          onClick={() => tx.run("Fund", (c) => c.deposit(desk.signer!, offer.address, parsed()))}
        >
          Fund
        </button>
        <button
          disabled={tx.busy}
          onClick={() =>
            tx.run("Withdraw", (c) => c.withdraw(desk.signer!, offer.address, parsed()))
          }
        >
          Withdraw
        </button>
        <button
          disabled={tx.busy}
          onClick={() =>
            tx.run(paused ? "Resume" : "Pause", (c) =>
              c.setOfferPaused(desk.signer!, offer.address, !paused),
            )
          }
        >
          {paused ? "Resume" : "Pause"}
        </button>
        <button
          disabled={tx.busy}
          onClick={() => tx.run("Close", (c) => c.closeOffer(desk.signer!, offer.address))}
        >
          Close
        </button>
      </div>
      <ul className="trades">
        {(trades.value ?? []).map((trade) => (
          <li key={trade.address}>
            <a href={`#/trade/${trade.address}`}>{trade.address.slice(0, 12)}…</a>{" "}
            {fmt(trade.data.amount)} · {TradeState[trade.data.state].toLowerCase()}
            {(trade.data.state === TradeState.Locked || trade.data.state === TradeState.Paid) && (
              <button
                disabled={tx.busy}
                onClick={() =>
                  releaseConfirmed(trade.data.state) &&
                  tx.run("Release", (c) => c.release(desk.signer!, trade.address))
                }
              >
                Release
              </button>
            )}
          </li>
        ))}
      </ul>
    </article>
  );
}

/**
 * The seller's payment details, one text per payment method, kept in this browser for its wallet:
 * the desk sends the details of an offer's method to every new trade of the offer while it is
 * open, and the trade page offers them to send by hand.
 */
function PaymentDetailsForm() {
  const desk = useDesk();
  const me = desk.me!;
  const [saved, setSaved] = useState(() => readDetails(me));
  const [method, setMethod] = useState("");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const save = () => {
    const length = new TextEncoder().encode(text.trim()).length;
    if (length > MAX_PAYMENT_DETAILS_LENGTH) {
      setProblem(
        `payment details fit one room message with the payment reference: at most ${MAX_PAYMENT_DETAILS_LENGTH} bytes`,
      );
      return;
    }
    setProblem(null);
    const next = { ...saved, [method.trim()]: text.trim() };
    writeDetails(me, next);
    setSaved(next);
    setMethod("");
    setText("");
  };
  const remove = (name: string) => {
    const next = Object.fromEntries(Object.entries(saved).filter(([m]) => m !== name));
    writeDetails(me, next);
    setSaved(next);
  };
  return (
    <section className="payment-details-form">
      <h3>My payment details</h3>
      <p className="small">
        Kept in this browser only. While the desk is open it sends the details of an offer&apos;s
        payment method, encrypted, to each new trade of the offer.
      </p>
      <ul>
        {Object.entries(saved).map(([name, details]) => (
          <li key={name} data-testid="saved-details">
            <strong>{name}</strong>: {details} <button onClick={() => remove(name)}>Remove</button>
          </li>
        ))}
      </ul>
      <div className="form">
        <label>
          Method{" "}
          <input name="details-method" value={method} onChange={(e) => setMethod(e.target.value)} />
        </label>
        <label>
          Details{" "}
          <textarea name="details-text" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </div>
      {problem && <p className="tx failed">{problem}</p>}
      <button disabled={!method.trim() || !text.trim()} onClick={save}>
        Save details
      </button>
    </section>
  );
}

export function SellerDesk() {
  const desk = useDesk();
  // Kept here, not in a card: a closed offer leaves the list, its confirmation stays on screen.
  const tx = useTransaction();
  const offers = useChain(
    async () => {
      if (!desk.me) return [];
      const mine = await listOffers(desk.rpc, { seller: desk.me });
      return Promise.all(
        mine.map(async (offer) => ({ offer, mint: await getMintInfo(desk.rpc, offer.data.mint) })),
      );
    },
    [desk.me],
    3_000,
  );
  if (!desk.me) return <p>Connect a wallet to sell.</p>;
  return (
    <section>
      <h2>Sell</h2>
      <PaymentDetailsForm key={desk.me} />
      <CreateOffer />
      <h3>My offers</h3>
      <TxStatus state={tx.state} />
      {offers.value?.length === 0 && <p>No offers yet.</p>}
      {(offers.value ?? []).map(({ offer, mint }) => (
        <OfferCard key={offer.address} offer={offer} mint={mint} tx={tx} />
      ))}
    </section>
  );
}
