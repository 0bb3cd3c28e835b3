/** What every page shares: the RPC, the connected wallet's signer, a clock, and refreshes. */
import { createContext, useContext, useEffect, useState } from "react";
import type { Address, TransactionPartialSigner } from "@solana/kit";
import { fetchSysvarClock } from "@solana/sysvars";

import {
  fetchMaybeOffer,
  type EscrowClient,
  type EscrowRpc,
  type OfferTerms,
} from "@p2p-escrow/sdk";

export type Desk = {
  rpc: EscrowRpc;
  /** The page's client (see `EscrowClient.with` for one action's progress). */
  client: EscrowClient;
  rpcUrl: string;
  /** The connected wallet, if any. */
  signer: TransactionPartialSigner | null;
  me: Address | null;
  /** Bumped after every confirmed transaction, so pages read the chain again. */
  version: number;
  refresh: () => void;
};

export const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error("useDesk outside the desk");
  return desk;
}

/**
 * A value read from the chain, read again whenever `deps` or the desk's version change, and every
 * `pollMs` if given (pages that follow what other people do: a trade, the arbiter's cases).
 */
export function useChain<T>(
  read: () => Promise<T>,
  deps: unknown[],
  pollMs?: number,
): { value?: T; error?: Error } {
  const { version } = useDesk();
  const [state, setState] = useState<{ value?: T; error?: Error }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => setTick((t) => t + 1), pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);
  useEffect(() => {
    let live = true;
    read().then(
      (value) => live && setState({ value }),
      (error: Error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
    // `read` is a new closure every render; what it reads is named in `deps`.
  }, [...deps, version, tick]);
  return state;
}

/**
 * The chain's clock (unix seconds), read from the Clock sysvar (@solana/sysvars) and ticking
 * locally in between.
 */
export function useChainTime(): bigint | null {
  const { rpc, version } = useDesk();
  const [offset, setOffset] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let live = true;
    fetchSysvarClock(rpc).then(
      (clock) => live && setOffset(Number(clock.unixTimestamp) - Date.now() / 1000),
      // Unreachable: no chain time, so no countdowns, until the next refresh reads it.
      () => live && setOffset(null),
    );
    return () => {
      live = false;
    };
  }, [rpc, version]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return offset === null ? null : BigInt(Math.floor(now / 1000 + offset));
}

/**
 * The terms of `offer`: null until read, and once the offer is closed. A page reads them once and
 * passes them down (payment instructions, the room's currency and payment method).
 */
export function useOfferTerms(offer: Address): OfferTerms | null {
  const { rpc } = useDesk();
  const found = useChain(() => fetchMaybeOffer(rpc, offer), [offer]);
  return found.value?.exists ? found.value.data.terms : null;
}
