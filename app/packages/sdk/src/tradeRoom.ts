/**
 * A trade's room as one participant sees it: the buyer, the seller, or the arbiter in charge of
 * its dispute. The room's history is the trade address's transactions: its `TradeTaken` event
 * carries both parties' room keys (so the room can be read after the trade closed), and each
 * `MessagePosted` event a sealed line, signed by its author and timed by the chain.
 */
import type { Address, MessagePartialSigner, Signature, TransactionSigner } from "@solana/kit";

import { arbiterInCharge, getArbiter, getTrade } from "./accounts";
import { arbiterAddress } from "./addresses";
import type { ActionResult, EscrowClient } from "./client";
import { EscrowError } from "./errors";
import type { EscrowEvent } from "./events";
import { MessageKind } from "./generated";
import {
  arbiterNoteKey,
  conversationKey,
  deriveRoomKeyPair,
  disclosureKey,
  MAX_MESSAGE_TEXT_LENGTH,
  openMessage,
  sealMessage,
  type RoomKeyPair,
  type RoomSubject,
} from "./room";
import { fetchAccountEvents } from "./transactions";

/** Who someone is in a trade's room. */
export type RoomRole = "buyer" | "seller" | "arbiter";

/** One line of a room, as the reader sees it. */
export type RoomLine = {
  signature: Signature;
  slot: bigint;
  /** When the chain took it (unix seconds). */
  postedAt: bigint;
  /** Its author: the transaction's signer. */
  author: Address;
  authorRole: RoomRole;
  kind: MessageKind;
  /** The text, when the reader can open it. */
  text?: string;
  /** Why the reader cannot: sealed for someone else, or `MessageNotAuthentic` and the like. */
  unreadable?: string;
};

type TradeTaken = Extract<EscrowEvent, { name: "tradeTaken" }>["data"];
type Posted = {
  signature: Signature;
  slot: bigint;
  data: Extract<EscrowEvent, { name: "messagePosted" }>["data"];
};

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: true });
const sameBytes = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((byte, i) => byte === b[i]);

function roomError(name: string, message: string): EscrowError {
  return new EscrowError({ name, message, logs: [] });
}

/** The room of one trade, opened by one of its participants. */
export class TradeRoom {
  private readonly arbiterKeys = new Map<Address, Uint8Array>();

  private constructor(
    private readonly client: EscrowClient,
    private readonly wallet: TransactionSigner & MessagePartialSigner,
    readonly trade: Address,
    readonly role: RoomRole,
    private readonly keys: RoomKeyPair,
    private readonly taken: TradeTaken,
  ) {}

  /**
   * Opens `trade`'s room for `wallet`: its buyer, its seller, or one of its arbiters (the offer's,
   * or the fallback fixed at take). Reads the trade's history and asks the wallet to sign its room
   * key text. Fails with `TradeNotFound` (no such trade in the history), `NotInTradeRoom` (anyone
   * else) or `RoomKeyMismatch` (the wallet's key is not the one the chain holds for it).
   */
  static async open(
    client: EscrowClient,
    wallet: TransactionSigner & MessagePartialSigner,
    trade: Address,
  ): Promise<TradeRoom> {
    const history = await fetchAccountEvents(client.rpc, trade);
    const taken = history.find((entry) => entry.event.name === "tradeTaken")?.event;
    if (taken?.name !== "tradeTaken" || taken.data.trade !== trade) {
      throw roomError("TradeNotFound", `there is no trade at ${trade} in the chain's history`);
    }
    const me = wallet.address;
    const fallback = taken.data.fallbackArbiter;
    const role: RoomRole | null =
      me === taken.data.buyer
        ? "buyer"
        : me === taken.data.seller
          ? "seller"
          : me === taken.data.arbiter || (fallback.__option === "Some" && me === fallback.value)
            ? "arbiter"
            : null;
    if (!role) {
      throw roomError("NotInTradeRoom", `${me} is neither party nor an arbiter of trade ${trade}`);
    }
    const subject: RoomSubject =
      role === "buyer"
        ? { kind: "trade", address: trade }
        : role === "seller"
          ? { kind: "offer", address: taken.data.offer }
          : { kind: "arbiter", address: await arbiterAddress(me) };
    const onChain =
      role === "buyer"
        ? taken.data.buyerRoomKey
        : role === "seller"
          ? taken.data.sellerRoomKey
          : (await getArbiter(client.rpc, me)).roomKey;
    if (onChain.every((byte) => byte === 0)) {
      throw roomError(
        "ArbiterHasNoRoomKey",
        `arbiter ${me} has not set its room key yet (\`setArbiterRoomKey\`)`,
      );
    }
    const keys = await deriveRoomKeyPair(wallet, subject);
    if (!sameBytes(keys.publicKey, onChain)) {
      throw roomError(
        "RoomKeyMismatch",
        `the key this wallet derives for ${subject.kind} ${subject.address} is not the one on chain`,
      );
    }
    return new TradeRoom(client, wallet, trade, role, keys, taken.data);
  }

  private roleOf(author: Address): RoomRole {
    if (author === this.taken.buyer) return "buyer";
    if (author === this.taken.seller) return "seller";
    return "arbiter";
  }

  private partyKey(role: "buyer" | "seller"): Uint8Array {
    return new Uint8Array(role === "buyer" ? this.taken.buyerRoomKey : this.taken.sellerRoomKey);
  }

  private async arbiterKey(authority: Address): Promise<Uint8Array> {
    const known = this.arbiterKeys.get(authority);
    if (known) return known;
    const key = new Uint8Array((await getArbiter(this.client.rpc, authority)).roomKey);
    if (key.every((byte) => byte === 0)) {
      throw roomError("ArbiterHasNoRoomKey", `arbiter ${authority} has not set its room key yet`);
    }
    this.arbiterKeys.set(authority, key);
    return key;
  }

  /** The conversation key of a party (the arbiter has none of its own). */
  private partyConversation(): Uint8Array {
    const other = this.role === "buyer" ? "seller" : "buyer";
    return conversationKey(this.keys.secretKey, this.partyKey(other), this.trade);
  }

  /** The conversation keys the arbiter holds: those the parties disclosed to it. */
  private disclosed(posted: Posted[]): Uint8Array[] {
    const keys: Uint8Array[] = [];
    for (const { data } of posted) {
      if (data.kind !== MessageKind.Disclosure) continue;
      const party = this.roleOf(data.author);
      if (party === "arbiter") continue;
      const key = disclosureKey(this.keys.secretKey, this.partyKey(party), this.trade);
      try {
        keys.push(
          openMessage(key, data.body, { trade: this.trade, author: data.author, kind: data.kind }),
        );
      } catch {
        // A disclosure to another arbiter (before an escalation): not this one's to open.
      }
    }
    return keys;
  }

  /**
   * Every line of the room, oldest first, opened where the reader can: the parties read their
   * conversation and the arbiter's notes to them; the arbiter reads the conversation once a party
   * disclosed it, and its own notes.
   */
  async read(): Promise<RoomLine[]> {
    const history = await fetchAccountEvents(this.client.rpc, this.trade);
    const posted: Posted[] = history.flatMap((entry) =>
      entry.event.name === "messagePosted"
        ? [{ signature: entry.signature, slot: entry.slot, data: entry.event.data }]
        : [],
    );
    const conversations =
      this.role === "arbiter" ? this.disclosed(posted) : [this.partyConversation()];
    const lines: RoomLine[] = [];
    for (const { signature, slot, data } of posted) {
      const context = { trade: this.trade, author: data.author, kind: data.kind };
      const line: RoomLine = {
        signature,
        slot,
        postedAt: data.postedAt,
        author: data.author,
        authorRole: this.roleOf(data.author),
        kind: data.kind,
      };
      const keys = await this.keysFor(data.author, data.kind, conversations);
      if (keys.length === 0) {
        line.unreadable =
          data.kind === MessageKind.Disclosure
            ? "disclosed to the arbiter"
            : "sealed for someone else, or not disclosed to this reader";
      }
      for (const key of keys) {
        try {
          line.text = text.decode(openMessage(key, data.body, context));
          line.unreadable = undefined;
          break;
        } catch (error) {
          line.unreadable = error instanceof EscrowError ? error.errorName : String(error);
        }
      }
      if (
        line.text === undefined &&
        data.kind === MessageKind.ArbiterNote &&
        this.role !== "arbiter"
      ) {
        line.unreadable = "the arbiter's note to the other party";
      }
      lines.push(line);
    }
    return lines;
  }

  /** The keys that may open a line of `kind` by `author`, for this reader. */
  private async keysFor(
    author: Address,
    kind: MessageKind,
    conversations: Uint8Array[],
  ): Promise<Uint8Array[]> {
    switch (kind) {
      case MessageKind.Chat:
      case MessageKind.PaymentDetails:
      case MessageKind.PayerDeclaration:
        return conversations;
      case MessageKind.Disclosure:
        return [];
      case MessageKind.ArbiterNote:
        if (this.role !== "arbiter") {
          return [arbiterNoteKey(this.keys.secretKey, await this.arbiterKey(author), this.trade)];
        }
        return author === this.wallet.address
          ? (["buyer", "seller"] as const).map((party) =>
              arbiterNoteKey(this.keys.secretKey, this.partyKey(party), this.trade),
            )
          : [];
    }
  }

  private async post(kind: MessageKind, key: Uint8Array, plain: Uint8Array): Promise<ActionResult> {
    if (plain.length > MAX_MESSAGE_TEXT_LENGTH) {
      throw roomError(
        "MessageTooLong",
        `a message holds at most ${MAX_MESSAGE_TEXT_LENGTH} bytes of text, not ${plain.length}`,
      );
    }
    if (plain.length === 0) throw roomError("EmptyMessage", "a message has a text");
    const body = sealMessage(key, plain, { trade: this.trade, author: this.wallet.address, kind });
    return this.client.postMessage(this.wallet, this.trade, kind, body);
  }

  /**
   * A party's line: `Chat` (default), `PaymentDetails` (the seller's) or `PayerDeclaration` (the
   * buyer's, before marking paid). `MessageTooLong` beyond `MAX_MESSAGE_TEXT_LENGTH` bytes of
   * UTF-8, before anything is sent.
   */
  async send(line: string, kind: MessageKind = MessageKind.Chat): Promise<ActionResult> {
    if (this.role === "arbiter") {
      throw roomError("MessageNotAllowed", "the arbiter writes notes to a party (`note`)");
    }
    return this.post(kind, this.partyConversation(), utf8.encode(line));
  }

  /**
   * Discloses the conversation to the arbiter in charge of the trade's dispute: its key, sealed
   * to that arbiter's room key. `ArbiterHasNoRoomKey` if the arbiter has not set one.
   */
  async disclose(): Promise<ActionResult> {
    if (this.role === "arbiter") {
      throw roomError("MessageNotAllowed", "only the parties disclose their conversation");
    }
    const arbiter = arbiterInCharge(await getTrade(this.client.rpc, this.trade));
    const key = disclosureKey(this.keys.secretKey, await this.arbiterKey(arbiter), this.trade);
    return this.post(MessageKind.Disclosure, key, this.partyConversation());
  }

  /** The arbiter writes to one party, privately. */
  async note(to: "buyer" | "seller", line: string): Promise<ActionResult> {
    if (this.role !== "arbiter") {
      throw roomError("MessageNotAllowed", "only the arbiter in charge writes notes");
    }
    const key = arbiterNoteKey(this.keys.secretKey, this.partyKey(to), this.trade);
    return this.post(MessageKind.ArbiterNote, key, utf8.encode(line));
  }
}
