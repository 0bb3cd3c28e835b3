/** The offer book: open offers filtered by mint, fiat currency, amount and arbiter; taking one. */
import { useState } from "react";
import type { Address } from "@solana/kit";

import {
  fetchAccountEvents,
  fiatCurrencyCode,
  formatAmount,
  formatFiat,
  formatBps,
  formatDuration,
  getMintInfos,
  listArbiters,
  listOffers,
  OfferStatus,
  P2P_ESCROW_PROGRAM_ADDRESS,
  parseAmount,
  type EscrowRpc,
  type Located,
  type MintInfo,
  type Offer,
} from "@p2p-escrow/sdk";
import { useChain, useDesk } from "./context";
import { useTransaction, TxStatus } from "./Tx";

/**
 * Per seller, from the program's recent history: trades released (completed) and disputes that
 * ended in a ruling, a settlement or the default ruling (disputed).
 */
async function sellerHistory(
  rpc: EscrowRpc,
): Promise<Map<string, { completed: number; disputed: number }>> {
  const history = new Map<string, { completed: number; disputed: number }>();
  for (const { event } of await fetchAccountEvents(rpc, P2P_ESCROW_PROGRAM_ADDRESS, 500)) {
    if (event.name !== "tradeReleased" && event.name !== "disputeResolved") continue;
    const record = history.get(event.data.seller) ?? { completed: 0, disputed: 0 };
    if (event.name === "tradeReleased") record.completed += 1;
    else record.disputed += 1;
    history.set(event.data.seller, record);
  }
  return history;
}

type Book = {
  offers: Located<Offer>[];
  mints: Map<string, MintInfo>;
  arbiterFees: Map<string, number>;
};

/** The open offers, their mints and the arbiters' fees: three requests whatever the book's size. */
async function readBook(rpc: EscrowRpc): Promise<Book> {
  const [offers, arbiters] = await Promise.all([
    listOffers(rpc, { status: OfferStatus.Open }),
    listArbiters(rpc),
  ]);
  const mints = await getMintInfos(rpc, [...new Set(offers.map((offer) => offer.data.mint))]);
  return {
    offers,
    mints: new Map(mints.map((info) => [info.address, info])),
    arbiterFees: new Map(arbiters.map((a) => [a.data.authority, a.data.feeBps])),
  };
}

function TakePanel({ offer, mint }: { offer: Located<Offer>; mint: MintInfo }) {
  const desk = useDesk();
  const tx = useTransaction();
  const [text, setText] = useState("");
  const terms = offer.data.terms;
  const buyer = desk.signer?.address ?? null;
  // The terms a take by this wallet fixes, as shown here: the take carries their hash.
  const read = useChain(
    () => (buyer ? desk.client.takeTerms(offer.data, buyer) : Promise.resolve(null)),
    [desk.client, buyer, offer.address],
  );
  const seen = read.value;
  let amount: bigint | null = null;
  let problem: string | null = null;
  try {
    amount = text ? parseAmount(text, mint.decimals) : null;
  } catch (error) {
    problem = (error as Error).message;
  }
  const currency = fiatCurrencyCode(terms.fiatCurrency);
  const fiat = amount === null ? null : (amount * terms.price) / 10n ** BigInt(mint.decimals);
  const protocolFee = amount === null || !seen ? null : (amount * BigInt(seen.feeBps)) / 10_000n;
  const take = async () => {
    if (!desk.signer || amount === null || !seen) return;
    const result = await tx.run("Take", (client) =>
      client.takeOffer(desk.signer!, offer.address, amount!, { seen }),
    );
    if (result?.address) window.location.hash = `#/trade/${result.address}`;
  };
  return (
    <div className="take" data-testid="take-panel">
      <label>
        Amount to buy{" "}
        <input
          name="take-amount"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="100"
        />
      </label>
      {problem && <p className="tx failed">{problem}</p>}
      {read.error && (
        <p className="tx failed">Cannot read the terms a take would fix: {read.error.message}</p>
      )}
      {amount !== null && fiat !== null && protocolFee !== null && seen && (
        <dl className="terms" data-testid="take-terms">
          <dt>You reserve</dt>
          <dd>
            {formatAmount(amount, mint.decimals)} tokens of {offer.data.mint}
          </dd>
          <dt>You pay</dt>
          <dd data-testid="fiat-owed">
            {formatFiat(fiat)} {currency} within {formatDuration(terms.paymentWindow)}
          </dd>
          <dt>Protocol fee</dt>
          <dd>
            {formatBps(seen.feeBps)} ({formatAmount(protocolFee, mint.decimals)} tokens), taken on
            release
          </dd>
          <dt>Arbiter</dt>
          <dd>
            {terms.arbiter}, fee {formatBps(seen.arbiterFeeBps)} on a ruling, within{" "}
            {formatDuration(seen.rulingWindow)}
          </dd>
          <dt>If the arbiter misses its deadline</dt>
          <dd>
            {seen.fallbackArbiter ? `the fallback arbiter ${seen.fallbackArbiter}, then ` : ""}
            {formatBps(seen.defaultBuyerBps)} to you
          </dd>
          <dt>Seller releases within</dt>
          <dd>{formatDuration(terms.releaseWindow)} of your payment mark</dd>
          <dt>Bond</dt>
          <dd>{formatAmount(terms.buyerBond, 9)} SOL, returned unless the trade expires unpaid</dd>
          <dt>Payment attestor</dt>
          <dd>
            {terms.attestor.__option === "Some"
              ? terms.attestor.value
              : "none (the seller releases)"}
          </dd>
        </dl>
      )}
      <p className="hint">
        The transaction carries the hash of these terms, the mint, both fees and what happens if the
        arbiter misses its deadline; if any of them changes before it lands, it is refused.
      </p>
      <button disabled={!desk.signer || amount === null || !seen || tx.busy} onClick={take}>
        {desk.signer ? "Take at these terms" : "Connect a wallet to take"}
      </button>
      <TxStatus state={tx.state} />
    </div>
  );
}

export function OfferBook() {
  const { rpc } = useDesk();
  const book = useChain(() => readBook(rpc), [rpc]);
  // The sellers' records read a transaction each: they fill in after the book shows.
  const records = useChain(() => sellerHistory(rpc), [rpc]);
  const [mint, setMint] = useState("");
  const [currency, setCurrency] = useState("");
  const [amount, setAmount] = useState("");
  const [arbiter, setArbiter] = useState("");
  const [taking, setTaking] = useState<Address | null>(null);
  if (book.error) return <p className="tx failed">Cannot read the offers: {book.error.message}</p>;
  if (!book.value) return <p>Loading offers…</p>;
  const { offers, mints, arbiterFees } = book.value;
  const history = records.value;
  const currencies = [...new Set(offers.map((o) => fiatCurrencyCode(o.data.terms.fiatCurrency)))];
  const shown = offers.filter((offer) => {
    const info = mints.get(offer.data.mint)!;
    const terms = offer.data.terms;
    if (mint && offer.data.mint !== mint) return false;
    if (currency && fiatCurrencyCode(terms.fiatCurrency) !== currency) return false;
    if (arbiter && terms.arbiter !== arbiter) return false;
    if (amount) {
      try {
        const wanted = parseAmount(amount, info.decimals);
        const max =
          terms.maxTradeAmount < offer.data.available ? terms.maxTradeAmount : offer.data.available;
        if (wanted < terms.minTradeAmount || wanted > max) return false;
      } catch {
        return false;
      }
    }
    return true;
  });
  return (
    <section>
      <h2>Offer book</h2>
      <div className="filters">
        <label>
          Mint{" "}
          <input name="filter-mint" value={mint} onChange={(e) => setMint(e.target.value.trim())} />
        </label>
        <label>
          Currency{" "}
          <select
            name="filter-currency"
            value={currency}
            onChange={(e) => setCurrency(e.target.value)}
          >
            <option value="">any</option>
            {currencies.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Amount{" "}
          <input name="filter-amount" value={amount} onChange={(e) => setAmount(e.target.value)} />
        </label>
        <label>
          Arbiter{" "}
          <select
            name="filter-arbiter"
            value={arbiter}
            onChange={(e) => setArbiter(e.target.value)}
          >
            <option value="">any</option>
            {[...arbiterFees.keys()].map((a) => (
              <option key={a} value={a}>
                {a.slice(0, 8)}… ({formatBps(arbiterFees.get(a)!)})
              </option>
            ))}
          </select>
        </label>
      </div>
      {shown.length === 0 && <p>No open offers match.</p>}
      {shown.map((offer) => {
        const info = mints.get(offer.data.mint)!;
        const terms = offer.data.terms;
        const record = history?.get(offer.data.seller) ?? { completed: 0, disputed: 0 };
        const fmt = (v: bigint) => formatAmount(v, info.decimals);
        return (
          <article
            className="offer"
            key={offer.address}
            data-testid="offer"
            data-offer={offer.address}
          >
            <h3>
              {formatFiat(terms.price)} {fiatCurrencyCode(terms.fiatCurrency)} per token
            </h3>
            <p>
              Available <strong>{fmt(offer.data.available)}</strong> · limits{" "}
              {fmt(terms.minTradeAmount)}–{fmt(terms.maxTradeAmount)} · pay within{" "}
              {formatDuration(terms.paymentWindow)} · release within{" "}
              {formatDuration(terms.releaseWindow)} · bond {formatAmount(terms.buyerBond, 9)} SOL
            </p>
            <p className="small">
              Mint <code>{offer.data.mint}</code> · seller <code>{offer.data.seller}</code> (
              {history
                ? `${record.completed} completed, ${record.disputed} disputed`
                : records.error
                  ? "record unavailable"
                  : "record loading…"}
              ) · arbiter <code>{terms.arbiter}</code>
              {" · "}attestor{" "}
              {terms.attestor.__option === "Some" ? <code>{terms.attestor.value}</code> : "none"}
            </p>
            {taking === offer.address ? (
              <TakePanel offer={offer} mint={info} />
            ) : (
              <button onClick={() => setTaking(offer.address)}>Take…</button>
            )}
          </article>
        );
      })}
    </section>
  );
}
