/**
 * The trade room in the browser: opening a room with the connected wallet (it signs its room key
 * text once per trade and page), the seller's payment details kept in this browser, and what a
 * wallet has read of each room.
 */
import { useEffect, useState } from "react";
import type { Address, MessagePartialSigner, TransactionPartialSigner } from "@solana/kit";

import { describeError, TradeRoom, type EscrowClient } from "@p2p-escrow/sdk";
import { useDesk } from "./context";

/** A wallet that signs messages too, as opening a room needs. */
export type RoomWallet = TransactionPartialSigner & MessagePartialSigner;

/** The connected wallet as a room wallet, or null when it does not sign messages. */
export function roomWallet(signer: TransactionPartialSigner | null): RoomWallet | null {
  const signs = signer as Partial<MessagePartialSigner> | null;
  return signer && typeof signs?.signMessages === "function" ? (signer as RoomWallet) : null;
}

/** Rooms opened on this page, by wallet and trade: the wallet signs once per room. */
const opened = new Map<string, Promise<TradeRoom>>();

/** `trade`'s room for `wallet` (opened once per page). */
export function openRoom(
  client: EscrowClient,
  wallet: RoomWallet,
  trade: Address,
): Promise<TradeRoom> {
  const key = `${wallet.address}:${trade}`;
  let room = opened.get(key);
  if (!room) {
    room = TradeRoom.open(client, wallet, trade);
    opened.set(key, room);
    room.catch(() => opened.delete(key));
  }
  return room;
}

/**
 * The connected wallet's room of `trade`, opened when `enabled` (a party or the arbiter), and tried
 * again after each of the desk's transactions while it could not be opened (an arbiter without a
 * room key yet).
 */
export function useRoom(trade: Address, enabled: boolean): { room?: TradeRoom; error?: string } {
  const desk = useDesk();
  const [state, setState] = useState<{ room?: TradeRoom; error?: string }>({});
  useEffect(() => {
    const wallet = roomWallet(desk.signer);
    if (!enabled || !wallet) {
      setState({});
      return;
    }
    let live = true;
    openRoom(desk.client, wallet, trade).then(
      (room) => live && setState({ room }),
      (error: unknown) => live && setState({ error: describeError(error).message }),
    );
    return () => {
      live = false;
    };
  }, [desk.signer, desk.client, trade, enabled, desk.version]);
  return state;
}

/**
 * A seller's payment details, one text per payment method, kept in this browser's local storage
 * (in the clear, as the browser keeps it) for its wallet, never on chain in the clear. The method
 * is named as the offer's payment method, whose SHA-256 the offer carries; both are trimmed.
 */
export type PaymentDetails = Record<string, string>;

const detailsKey = (wallet: Address) => `p2p-escrow:payment-details:${wallet}`;

export function readDetails(wallet: Address): PaymentDetails {
  let parsed: unknown;
  try {
    parsed = JSON.parse(localStorage.getItem(detailsKey(wallet)) ?? "{}");
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  return Object.fromEntries(
    Object.entries(parsed).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}

export function writeDetails(wallet: Address, details: PaymentDetails): void {
  localStorage.setItem(detailsKey(wallet), JSON.stringify(details));
}

const readKey = (wallet: Address, trade: Address) => `p2p-escrow:read:${wallet}:${trade}`;

/** The chain time (unix seconds) of the last line `wallet` saw in `trade`'s room. */
export function lastRead(wallet: Address, trade: Address): bigint {
  return BigInt(localStorage.getItem(readKey(wallet, trade)) ?? "0");
}

export function markRead(wallet: Address, trade: Address, postedAt: bigint): void {
  if (postedAt > lastRead(wallet, trade)) {
    localStorage.setItem(readKey(wallet, trade), postedAt.toString());
  }
}
