/**
 * The connected wallet's open trades, as buyer and as seller, with each trade room's unread
 * messages (lines of others posted after the last one this wallet saw on the trade's page). Read
 * again every three seconds, so a new take, a payment mark, a message or a dispute shows without a
 * reload.
 */
import {
  fetchAccountEvents,
  formatAmount,
  getMintInfo,
  listTrades,
  TradeState,
  type Address,
  type Located,
  type Trade,
  type TransactionEvents,
} from "@p2p-escrow/sdk";
import { useChain, useDesk } from "./context";
import { lastRead } from "./room";

type Row = { trade: Located<Trade>; decimals: number; unread: number };

function TradeList({ title, trades }: { title: string; trades: Row[] }) {
  return (
    <>
      <h3>{title}</h3>
      {trades.length === 0 && <p>None open.</p>}
      <ul className="trades">
        {trades.map(({ trade, decimals, unread }) => (
          <li key={trade.address} data-testid="my-trade" data-trade={trade.address}>
            <a href={`#/trade/${trade.address}`}>{trade.address}</a> ·{" "}
            {formatAmount(trade.data.amount, decimals)} ·{" "}
            {TradeState[trade.data.state].toLowerCase()}
            {unread > 0 && (
              <strong className="unread" data-testid="unread">
                {" "}
                · {unread} unread
              </strong>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Landed transactions' events, read once per page. */
const known: TransactionEvents = new Map();

/** Lines of others in `trade`'s room that `me` has not seen. */
async function unreadOf(desk: ReturnType<typeof useDesk>, me: Address, trade: Address) {
  const seen = lastRead(me, trade);
  const events = await fetchAccountEvents(desk.rpc, trade, 1_000, known);
  return events.filter(
    ({ event }) =>
      event.name === "messagePosted" &&
      event.data.trade === trade &&
      event.data.author !== me &&
      event.data.postedAt > seen,
  ).length;
}

export function MyTrades() {
  const desk = useDesk();
  const trades = useChain(
    async () => {
      const me = desk.me;
      if (!me) return null;
      const rows = async (list: Located<Trade>[]): Promise<Row[]> =>
        Promise.all(
          list.map(async (trade) => ({
            trade,
            decimals: (await getMintInfo(desk.rpc, trade.data.mint)).decimals,
            unread: await unreadOf(desk, me, trade.address),
          })),
        );
      return {
        buying: await rows(await listTrades(desk.rpc, { buyer: me })),
        selling: await rows(await listTrades(desk.rpc, { seller: me })),
      };
    },
    [desk.me],
    3_000,
  );
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
