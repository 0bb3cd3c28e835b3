/**
 * The trade room: end-to-end encrypted lines between a trade's buyer and seller on chain, the
 * disclosure of the conversation to the arbiter of a dispute, the arbiter's notes to a party, and
 * the arbiter's room key.
 */
import {
  formatTime,
  MessageKind,
  MAX_MESSAGE_TEXT_LENGTH,
  paymentDetailsMessage,
  TradeRoom,
  type RoomLine,
} from "@p2p-escrow/sdk";
import { arg, option, sent, toAddress, UsageError, type Command, type Context } from "../common";
import {
  DEFAULT_DETAILS_FILE,
  detailsFile,
  readDetails,
  removeDetails,
  writeDetails,
} from "../paymentDetails";

/** `--kind` of `chat send`, as people type it. */
const KINDS: Record<string, MessageKind> = {
  chat: MessageKind.Chat,
  "payment-details": MessageKind.PaymentDetails,
  payer: MessageKind.PayerDeclaration,
};

async function openRoom(ctx: Context): Promise<TradeRoom> {
  const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
  return TradeRoom.open(ctx.client, await ctx.signer(), trade);
}

/**
 * Text from the other side, safe for a terminal: control characters (a line feed that would fake
 * another line, escape sequences) and bidirectional overrides are shown as `\u` escapes.
 */
function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function describeLine(line: RoomLine): string {
  const kind = MessageKind[line.kind];
  const what =
    line.text !== undefined
      ? `${printable(line.text)}${line.unverified ? "  (unverified disclosure)" : ""}`
      : `(${line.unreadable})`;
  return `${formatTime(line.postedAt)}  ${line.authorRole} ${line.author}  ${kind}: ${what}`;
}

/** The room commands, by name. */
export const ROOM_COMMANDS: Record<string, Command> = {
  chat: {
    usage: "chat send <trade> <text> [--kind chat|payment-details|payer] | chat read <trade>",
    summary: `write in a trade's room, encrypted end to end (at most ${MAX_MESSAGE_TEXT_LENGTH} bytes), or read it`,
    options: ["kind"],
    async run(ctx) {
      const action = arg(ctx, 0, "send|read");
      const rest = { ...ctx, args: ctx.args.slice(1) };
      if (action === "read") {
        if (ctx.values.kind !== undefined) throw new UsageError("chat read takes no --kind");
        if (rest.args.length > 1) throw new UsageError(`unexpected argument "${rest.args[1]}"`);
        const room = await openRoom(rest);
        const lines = await room.read();
        return {
          json: {
            trade: room.trade,
            role: room.role,
            lines: lines.map((line) => ({ ...line, kind: MessageKind[line.kind] })),
          },
          lines: lines.length === 0 ? ["the room is empty"] : lines.map(describeLine),
        };
      }
      if (action !== "send") throw new UsageError(`chat send or chat read, not chat ${action}`);
      const kindName = ctx.values.kind ?? "chat";
      const kind = KINDS[kindName];
      if (kind === undefined) {
        throw new UsageError(
          `--kind is one of ${Object.keys(KINDS).join(", ")}, not "${kindName}"`,
        );
      }
      const room = await openRoom(rest);
      const text = arg(rest, 1, "text");
      // Payment details end with the trade's payment reference, as every client sends them.
      const line =
        kind === MessageKind.PaymentDetails ? paymentDetailsMessage(text, room.trade) : text;
      const result = await room.send(line, kind);
      return sent(result, [`posted in the room of trade ${room.trade}`], { trade: room.trade });
    },
  },
  disclose: {
    usage: "disclose <trade>",
    summary: "let the arbiter of a trade's dispute read its room (buyer or seller)",
    options: [],
    async run(ctx) {
      const room = await openRoom(ctx);
      return sent(await room.disclose(), [
        `the arbiter in charge of trade ${room.trade} can now read its room`,
      ]);
    },
  },
  note: {
    usage: "note <trade> <text> --to buyer|seller",
    summary: "the arbiter in charge writes privately to one party of a dispute",
    options: ["to"],
    async run(ctx) {
      const to = option(ctx, "to");
      if (to !== "buyer" && to !== "seller") {
        throw new UsageError(`--to is buyer or seller, not "${to}"`);
      }
      const room = await openRoom(ctx);
      return sent(await room.note(to, arg(ctx, 1, "text")), [`note to the ${to} posted`]);
    },
  },
  details: {
    usage:
      "details set <method> <text> | details show [<method>] | details remove <method>  [--details-file PATH]",
    summary: `keep your payment details per method on this machine (${DEFAULT_DETAILS_FILE}); the method is an offer's --payment-terms`,
    options: ["details-file"],
    async run(ctx) {
      const action = arg(ctx, 0, "set|show");
      const path = detailsFile(ctx);
      if (action === "set") {
        const method = arg(ctx, 1, "method").trim();
        writeDetails(path, method, arg(ctx, 2, "text"));
        return {
          json: { file: path, method },
          lines: [`details for ${printable(method)} kept in ${path}`],
        };
      }
      if (action === "remove") {
        const method = arg(ctx, 1, "method").trim();
        removeDetails(path, method);
        return {
          json: { file: path, method },
          lines: [`details for ${printable(method)} removed from ${path}`],
        };
      }
      if (action !== "show") {
        throw new UsageError(`details set, show or remove, not details ${action}`);
      }
      const { methods } = readDetails(path);
      const wanted = ctx.args[1];
      const shown = Object.entries(methods).filter(([method]) => !wanted || method === wanted);
      if (wanted && shown.length === 0) throw new UsageError(`no details for ${wanted} in ${path}`);
      return {
        json: { file: path, methods: Object.fromEntries(shown) },
        lines:
          shown.length === 0
            ? [`no payment details in ${path}`]
            : shown.map(([method, text]) => `${printable(method)}: ${printable(text)}`),
      };
    },
  },
  "arbiter-room-key": {
    usage: "arbiter-room-key",
    summary: "an arbiter sets the room key parties disclose disputes to (from its keypair)",
    options: [],
    async run(ctx) {
      const arbiter = await ctx.signer();
      return sent(await ctx.client.setArbiterRoomKey(arbiter), [
        `arbiter ${arbiter.address} set its room key`,
      ]);
    },
  },
};
