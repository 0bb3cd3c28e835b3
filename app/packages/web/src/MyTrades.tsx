/** The connected wallet's open trades, as buyer and as seller. */
import {
  formatAmount,
  getMintInfo,
  listTrades,
  TradeState,
  type Located,
  type Trade,
} from "@p2p-escrow/sdk";
import { useChain, useDesk } from "./context";

function TradeList({
  title,
  trades,
}: {
  title: string;
  trades: { trade: Located<Trade>; decimals: number }[];
}) {
  return (
    <>
      <h3>{title}</h3>
      {trades.length === 0 && <p>None open.</p>}
      <ul className="trades">
        {trades.map(({ trade, decimals }) => (
          <li key={trade.address} data-testid="my-trade">
            <a href={`#/trade/${trade.address}`}>{trade.address}</a> ·{" "}
            {formatAmount(trade.data.amount, decimals)} ·{" "}
            {TradeState[trade.data.state].toLowerCase()}
          </li>
        ))}
      </ul>
    </>
  );
}

export function MyTrades() {
  const desk = useDesk();
  const trades = useChain(async () => {
    if (!desk.me) return null;
    const withDecimals = async (list: Located<Trade>[]) =>
      Promise.all(
        list.map(async (trade) => ({
          trade,
          decimals: (await getMintInfo(desk.rpc, trade.data.mint)).decimals,
        })),
      );
    return {
      buying: await withDecimals(await listTrades(desk.rpc, { buyer: desk.me })),
      selling: await withDecimals(await listTrades(desk.rpc, { seller: desk.me })),
    };
  }, [desk.me]);
  if (!desk.me) return <p>Connect a wallet to see your trades.</p>;
  if (!trades.value) return <p>Loading trades…</p>;
  return (
    <section>
      <h2>My trades</h2>
      <TradeList title="Buying" trades={trades.value.buying} />
      <TradeList title="Selling" trades={trades.value.selling} />
    </section>
  );
}
