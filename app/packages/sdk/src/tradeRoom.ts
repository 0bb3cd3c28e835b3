/**
 * A trade's room as one participant sees it: the buyer, the seller, or the arbiter in charge of
 * its dispute. The room's history is the trade address's transactions: its `TradeTaken` event
 * carries both parties' room keys (so the room can be read after the trade closed), and each
 * `MessagePosted` event a sealed line, signed by its author and timed by the chain.
 */
import type {
  Address,
  MessagePartialSigner,
  ReadonlyUint8Array,
  Signature,
  TransactionSigner,
} from "@solana/kit";

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
  type MessageContext,
  type RoomKeyPair,
  type RoomSubject,
} from "./room";
import { fetchAccountEvents, type EscrowRpc, type TransactionEvents } from "./transactions";

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
  /**
   * For the arbiter: the line opened only under a key its own author disclosed and that no line of
   * the other party confirms, so nothing shows the other party could read it (a party could
   * disclose a key of its own making and seal lines under it).
   */
  unverified?: boolean;
};

/**
 * The longest payer declaration `TradeRoom.markPaid` sends with the payment mark, in bytes of
 * text: a name and an account; the transaction keeps 300 bytes of its packet free.
 */
export const MAX_PAYER_DECLARATION_LENGTH = 200;

/** The kinds a party writes with `send`. */
const PARTY_KINDS = new Set([
  MessageKind.Chat,
  MessageKind.PaymentDetails,
  MessageKind.PayerDeclaration,
]);

type TradeTaken = Extract<EscrowEvent, { name: "tradeTaken" }>["data"];
/** A conversation key the arbiter holds: who disclosed it, and whether the other party's lines confirm it. */
type Disclosed = { key: Uint8Array; verified: boolean; discloser: Address };

type Posted = {
  signature: Signature;
  slot: bigint;
  data: Extract<EscrowEvent, { name: "messagePosted" }>["data"];
};

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: true });
const sameBytes = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((byte, i) => byte === b[i]);

/** A line's text, or why it is none (bytes that are not UTF-8). */
function decoded(bytes: Uint8Array): Pick<RoomLine, "text" | "unreadable"> {
  try {
    return { text: text.decode(bytes) };
  } catch {
    return { unreadable: "MessageNotText" };
  }
}

/** The text `body` seals under `key` for `context`, or null when it does not open. */
function tryOpen(
  key: Uint8Array,
  body: ReadonlyUint8Array,
  context: MessageContext,
): Uint8Array | null {
  try {
    return openMessage(key, body, context);
  } catch {
    return null;
  }
}

function roomError(name: string, message: string): EscrowError {
  return new EscrowError({ name, message, logs: [] });
}

/** Who `who` is in the trade `taken` made: a party, one of its arbiters (the offer's, or the
 * fallback fixed at take), or nobody. */
function roleIn(taken: TradeTaken, who: Address): RoomRole | null {
  if (who === taken.buyer) return "buyer";
  if (who === taken.seller) return "seller";
  const fallback = taken.fallbackArbiter;
  if (who === taken.arbiter || (fallback.__option === "Some" && who === fallback.value)) {
    return "arbiter";
  }
  return null;
}

/** A party's room key, as the trade fixed it at take. */
function partyRoomKey(taken: TradeTaken, party: "buyer" | "seller"): Uint8Array {
  return new Uint8Array(party === "buyer" ? taken.buyerRoomKey : taken.sellerRoomKey);
}

/** An arbiter's room key; `ArbiterHasNoRoomKey` before it set one. */
async function arbiterRoomKey(rpc: EscrowRpc, authority: Address): Promise<Uint8Array> {
  const key = new Uint8Array((await getArbiter(rpc, authority)).roomKey);
  if (key.every((byte) => byte === 0)) {
    throw roomError(
      "ArbiterHasNoRoomKey",
      `arbiter ${authority} has not set its room key yet (\`p2p-escrow arbiter-room-key\`)`,
    );
  }
  return key;
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
    private readonly history: TransactionEvents,
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
    // Any transaction may name the trade's address; only the trade's own take counts.
    const known: TransactionEvents = new Map();
    const history = await fetchAccountEvents(client.rpc, trade, Number.POSITIVE_INFINITY, known);
    const taken = history
      .map((entry) => entry.event)
      .find((event) => event.name === "tradeTaken" && event.data.trade === trade);
    if (taken?.name !== "tradeTaken") {
      throw roomError("TradeNotFound", `there is no trade at ${trade} in the chain's history`);
    }
    const me = wallet.address;
    const role = roleIn(taken.data, me);
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
      role === "arbiter" ? await arbiterRoomKey(client.rpc, me) : partyRoomKey(taken.data, role);
    const keys = await deriveRoomKeyPair(wallet, subject);
    if (!sameBytes(keys.publicKey, onChain)) {
      throw roomError(
        "RoomKeyMismatch",
        `the key this wallet derives for ${subject.kind} ${subject.address} is not the one on chain`,
      );
    }
    return new TradeRoom(client, wallet, trade, role, keys, taken.data, known);
  }

  private roleOf(author: Address): RoomRole | null {
    return roleIn(this.taken, author);
  }

  private partyKey(party: "buyer" | "seller"): Uint8Array {
    return partyRoomKey(this.taken, party);
  }

  /** An arbiter's room key, read once per room. */
  private async arbiterKey(authority: Address): Promise<Uint8Array> {
    const known = this.arbiterKeys.get(authority);
    if (known) return known;
    const key = await arbiterRoomKey(this.client.rpc, authority);
    this.arbiterKeys.set(authority, key);
    return key;
  }

  /** The conversation key of a party (the arbiter has none of its own). */
  private partyConversation(): Uint8Array {
    const other = this.role === "buyer" ? "seller" : "buyer";
    return conversationKey(this.keys.secretKey, this.partyKey(other), this.trade);
  }

  /**
   * The conversation keys the arbiter holds: those the parties disclosed to it, each confirmed
   * when it opens a line the other party wrote (which the discloser cannot forge: the author is
   * bound to the line and signs its transaction).
   */
  private disclosed(posted: Posted[]): Disclosed[] {
    const keys: Disclosed[] = [];
    for (const { data } of posted) {
      const party = this.roleOf(data.author);
      if (data.kind !== MessageKind.Disclosure || party === null || party === "arbiter") continue;
      const key = disclosureKey(this.keys.secretKey, this.partyKey(party), this.trade);
      const conversation = tryOpen(key, data.body, this.context(data));
      // A disclosure to another arbiter (before an escalation): not this one's to open.
      if (!conversation) continue;
      const verified = posted.some(
        (line) =>
          line.data.author !== data.author &&
          this.roleOf(line.data.author) !== "arbiter" &&
          PARTY_KINDS.has(line.data.kind) &&
          tryOpen(conversation, line.data.body, this.context(line.data)) !== null,
      );
      keys.push({ key: conversation, verified, discloser: data.author });
    }
    // Confirmed keys first: all of them are the one conversation key.
    return keys.sort((a, b) => Number(b.verified) - Number(a.verified));
  }

  private context(data: Posted["data"]) {
    return { trade: this.trade, author: data.author, kind: data.kind };
  }

  /**
   * Every line of the room, oldest first, opened where the reader can: the parties read their
   * conversation and the arbiter's notes to them; the arbiter reads the conversation once a party
   * disclosed it, and its own notes. Lines of other trades that name this one, and lines by
   * anyone but the parties and the trade's arbiters, are left out.
   */
  async read(): Promise<RoomLine[]> {
    // Landed transactions are read once per room; each read asks only for the newer ones.
    const history = await fetchAccountEvents(
      this.client.rpc,
      this.trade,
      Number.POSITIVE_INFINITY,
      this.history,
    );
    const posted: Posted[] = history.flatMap((entry) =>
      entry.event.name === "messagePosted" &&
      entry.event.data.trade === this.trade &&
      this.roleOf(entry.event.data.author) !== null
        ? [{ signature: entry.signature, slot: entry.slot, data: entry.event.data }]
        : [],
    );
    const conversations: Disclosed[] =
      this.role === "arbiter"
        ? this.disclosed(posted)
        : [{ key: this.partyConversation(), verified: true, discloser: this.wallet.address }];
    const lines: RoomLine[] = [];
    for (const { signature, slot, data } of posted) {
      lines.push({
        signature,
        slot,
        postedAt: data.postedAt,
        author: data.author,
        authorRole: this.roleOf(data.author)!,
        kind: data.kind,
        ...(await this.open(data, conversations)),
      });
    }
    return lines;
  }

  /** What this reader makes of one line. */
  private async open(
    data: Posted["data"],
    conversations: Disclosed[],
  ): Promise<Pick<RoomLine, "text" | "unreadable" | "unverified">> {
    const context = this.context(data);
    switch (data.kind) {
      case MessageKind.Chat:
      case MessageKind.PaymentDetails:
      case MessageKind.PayerDeclaration: {
        if (conversations.length === 0) return { unreadable: "not disclosed to this reader" };
        // A line is confirmed under a key the other party disclosed, or one its lines confirm.
        const opened = conversations.flatMap((conversation) => {
          const plain = tryOpen(conversation.key, data.body, context);
          return plain ? [{ ...conversation, plain }] : [];
        });
        if (opened.length === 0) return { unreadable: "MessageNotAuthentic" };
        const line = decoded(opened[0].plain);
        const confirmed = opened.some(
          ({ verified, discloser }) => verified || discloser !== data.author,
        );
        return line.text === undefined || confirmed ? line : { ...line, unverified: true };
      }
      case MessageKind.Disclosure:
        if (this.role !== "arbiter") return { unreadable: "disclosed to the arbiter" };
        return conversations.length > 0
          ? { unreadable: "the room's key, disclosed to this arbiter" }
          : { unreadable: "disclosed to another arbiter" };
      case MessageKind.ArbiterNote: {
        if (this.role !== "arbiter") {
          let key: Uint8Array;
          try {
            key = arbiterNoteKey(
              this.keys.secretKey,
              await this.arbiterKey(data.author),
              this.trade,
            );
          } catch (error) {
            return { unreadable: error instanceof EscrowError ? error.errorName : String(error) };
          }
          const plain = tryOpen(key, data.body, context);
          return plain ? decoded(plain) : { unreadable: "the arbiter's note to the other party" };
        }
        if (data.author !== this.wallet.address) return { unreadable: "another arbiter's note" };
        for (const party of ["buyer", "seller"] as const) {
          const key = arbiterNoteKey(this.keys.secretKey, this.partyKey(party), this.trade);
          const plain = tryOpen(key, data.body, context);
          if (plain) {
            const note = decoded(plain);
            return note.text === undefined ? note : { text: `(to the ${party}) ${note.text}` };
          }
        }
        return { unreadable: "MessageNotAuthentic" };
      }
    }
  }

  private async post(kind: MessageKind, key: Uint8Array, plain: Uint8Array): Promise<ActionResult> {
    return this.client.postMessage(this.wallet, this.trade, kind, this.seal(kind, key, plain));
  }

  /** `plain` sealed as this wallet's line of `kind` (`MessageTooLong` past `limit` bytes). */
  private seal(
    kind: MessageKind,
    key: Uint8Array,
    plain: Uint8Array,
    limit = MAX_MESSAGE_TEXT_LENGTH,
  ): Uint8Array {
    if (plain.length > limit) {
      throw roomError(
        "MessageTooLong",
        `this message holds at most ${limit} bytes of text, not ${plain.length}`,
      );
    }
    if (plain.length === 0) throw roomError("EmptyMessage", "a message has a text");
    return sealMessage(key, plain, { trade: this.trade, author: this.wallet.address, kind });
  }

  /**
   * The buyer declares the account it pays from (`payer`: a name and an account, at most
   * `MAX_PAYER_DECLARATION_LENGTH` bytes of UTF-8) and marks the trade paid with the SHA-256 of the
   * payment reference, in one transaction: both land or neither does.
   */
  async markPaid(payer: string, paymentRefHash: ReadonlyUint8Array): Promise<ActionResult> {
    if (this.role !== "buyer") {
      throw roomError("MessageNotAllowed", "only the buyer declares its payer and marks paid");
    }
    const declaration = this.seal(
      MessageKind.PayerDeclaration,
      this.partyConversation(),
      utf8.encode(payer),
      MAX_PAYER_DECLARATION_LENGTH,
    );
    return this.client.markPaid(this.wallet, this.trade, paymentRefHash, {
      payerDeclaration: declaration,
    });
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
    if (!PARTY_KINDS.has(kind)) {
      throw roomError(
        "MessageNotAllowed",
        "a party sends chat, payment details or a payer declaration (`disclose` discloses)",
      );
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
