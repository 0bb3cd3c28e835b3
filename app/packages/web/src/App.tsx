/**
 * The desk in a browser: the offer book, a seller's offers, a trader's trades, each trade's page
 * and the arbiter console, over any RPC URL (`?rpc=`, default the local chain) and any wallet the
 * Wallet Standard registers.
 */
import { useEffect, useMemo, useState } from "react";
import type { Wallet, WalletAccount } from "@wallet-standard/base";

import {
  createEscrowRpc,
  describeError,
  detailsForMethod,
  EscrowClient,
  EscrowError,
  fetchWalletChain,
  getOffer,
  listTrades,
  LOCAL_CHAIN_URL,
  MessageKind,
  paymentDetailsMessage,
  TradeState,
  type Address,
  type SolanaChain,
} from "@p2p-escrow/sdk";
import { ArbiterConsole } from "./ArbiterConsole";
import { DeskContext, useDesk, type Desk } from "./context";
import { MyTrades } from "./MyTrades";
import { OfferBook } from "./OfferBook";
import { openRoom, readDetails, roomWallet } from "./room";
import { SellerDesk } from "./SellerDesk";
import { TradePage } from "./TradePage";
import { connect, useWallets, walletSigner } from "./wallet";

function useRoute(): string {
  const [route, setRoute] = useState(() => window.location.hash.slice(1) || "/");
  useEffect(() => {
    const update = () => setRoute(window.location.hash.slice(1) || "/");
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

/**
 * While the desk is open with a seller's wallet: sends the seller's payment details (kept in this
 * browser) to each of its trades still waiting for them, every three seconds.
 */
function DetailsResponder() {
  const desk = useDesk();
  // What it last did for each trade, by trade.
  const [said, setSaid] = useState<Record<string, string>>({});
  useEffect(() => {
    const wallet = roomWallet(desk.signer);
    const me = desk.me;
    if (!wallet || !me) return;
    // Trades answered (or refused by the program) on this page.
    const answered = new Set<Address>();
    let live = true;
    let running = false;
    const tell = (trade: Address, what: string) =>
      setSaid((before) => ({ ...before, [trade]: what }));
    const answer = async () => {
      if (running) return;
      running = true;
      try {
        const waiting = await listTrades(desk.rpc, { seller: me, state: TradeState.Locked });
        for (const trade of waiting) {
          if (!live || trade.data.detailsAt !== 0n || answered.has(trade.address)) continue;
          const offer = await getOffer(desk.rpc, trade.data.offer);
          const found = await detailsForMethod(readDetails(me), offer.terms.paymentTermsHash);
          if (!found) {
            // Asked again next round: the seller may save the method's details meanwhile.
            if (live) tell(trade.address, "no saved payment details match its payment method");
            continue;
          }
          try {
            const room = await openRoom(desk.client, wallet, trade.address);
            await room.send(
              paymentDetailsMessage(found.text, trade.address),
              MessageKind.PaymentDetails,
            );
            answered.add(trade.address);
            if (live) tell(trade.address, `sent your ${found.method} details`);
          } catch (error) {
            // The program's refusal (the response window passed) is final; anything else (the
            // wallet declined, the RPC failed) is tried again next round.
            if (error instanceof EscrowError && error.code !== undefined) {
              answered.add(trade.address);
            }
            if (live)
              tell(trade.address, `could not send details: ${describeError(error).message}`);
          }
        }
      } catch {
        // The RPC is unreachable now: the next round asks again.
      } finally {
        running = false;
      }
    };
    void answer();
    const timer = setInterval(() => void answer(), 3_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [desk.signer, desk.me, desk.rpc, desk.client]);
  const entries = Object.entries(said);
  if (entries.length === 0) return null;
  return (
    <ul className="details-sent">
      {entries.map(([trade, what]) => (
        <li key={trade} data-testid="details-sent" data-trade={trade}>
          Trade <a href={`#/trade/${trade}`}>{trade.slice(0, 12)}…</a>: {what}
        </li>
      ))}
    </ul>
  );
}

function WalletPicker({
  connected,
  onConnect,
}: {
  connected: { wallet: Wallet; account: WalletAccount } | null;
  onConnect: (wallet: Wallet) => void;
}) {
  const wallets = useWallets();
  if (connected) {
    return (
      <span className="wallet" data-testid="connected">
        {connected.wallet.name}: <code>{connected.account.address}</code>
      </span>
    );
  }
  if (wallets.length === 0) return <span className="wallet">no Solana wallet found</span>;
  return (
    <span className="wallet">
      {wallets.map((wallet) => (
        <button key={wallet.name} onClick={() => onConnect(wallet)}>
          Connect {wallet.name}
        </button>
      ))}
    </span>
  );
}

export function App() {
  const rpcUrl = new URLSearchParams(window.location.search).get("rpc") ?? LOCAL_CHAIN_URL;
  const rpc = useMemo(() => createEscrowRpc(rpcUrl), [rpcUrl]);
  // One client for the page: its transactions share a blockhash and what it learns of trades.
  const client = useMemo(() => new EscrowClient(rpc), [rpc]);
  const [connected, setConnected] = useState<{ wallet: Wallet; account: WalletAccount } | null>(
    null,
  );
  const [connectError, setConnectError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  // Wallets sign for the cluster the RPC serves, told apart by its genesis hash.
  const [chain, setChain] = useState<SolanaChain | null>(null);
  const [rpcError, setRpcError] = useState<string | null>(null);
  useEffect(() => {
    // The genesis hash never changes: asked until it is known, again after each refresh while
    // the RPC could not be reached.
    if (chain !== null) return;
    let live = true;
    setRpcError(null);
    fetchWalletChain(rpc).then(
      (found) => live && setChain(found),
      (error: Error) => live && setRpcError(`cannot reach ${rpcUrl}: ${error.message}`),
    );
    return () => {
      live = false;
    };
  }, [rpc, rpcUrl, version, chain]);
  const route = useRoute();
  const signer = useMemo(
    () => (connected && chain ? walletSigner(connected.wallet, connected.account, chain) : null),
    [connected, chain],
  );
  const desk: Desk = {
    rpc,
    client,
    rpcUrl,
    signer,
    me: signer?.address ?? null,
    version,
    refresh: () => setVersion((v) => v + 1),
  };
  const onConnect = (wallet: Wallet) => {
    setConnectError(null);
    connect(wallet).then(
      (account) => setConnected({ wallet, account }),
      (error: Error) => setConnectError(error.message),
    );
  };
  let page;
  if (route.startsWith("/trade/")) page = <TradePage address={route.slice("/trade/".length)} />;
  else if (route === "/sell") page = <SellerDesk />;
  else if (route === "/trades") page = <MyTrades />;
  else if (route === "/arbiter") page = <ArbiterConsole />;
  else page = <OfferBook />;
  return (
    <DeskContext.Provider value={desk}>
      <header>
        <h1>p2p-escrow desk</h1>
        <nav>
          <a href="#/">Offer book</a>
          <a href="#/sell">Sell</a>
          <a href="#/trades">My trades</a>
          <a href="#/arbiter">Arbiter console</a>
        </nav>
        <WalletPicker connected={connected} onConnect={onConnect} />
        <small className="rpc" data-testid="rpc">
          RPC {rpcUrl}
          {chain && ` (${chain})`}
        </small>
      </header>
      <DetailsResponder />
      {connectError && <p className="tx failed">{connectError}</p>}
      {rpcError && <p className="tx failed">{rpcError}</p>}
      {connected && !chain && !rpcError && <p className="tx">finding the chain {rpcUrl} serves…</p>}
      <main>{page}</main>
    </DeskContext.Provider>
  );
}
