/**
 * The trade room: known answers that pin every derivation and the message format; tampered,
 * moved, foreign and malformed messages refused by name; decryption speed; and rooms on the local
 * chain: the parties talk, the buyer learns the payment details and declares its payer, a
 * disclosure lets the arbiter read (and check) every line and nobody else, the arbiter writes to
 * one party.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
} from "node:crypto";

import {
  address,
  AccountRole,
  createKeyPairSignerFromPrivateKeyBytes,
  getAddressEncoder,
} from "@solana/kit";

import {
  arbiterNoteKey,
  conversationKey,
  deriveRoomKeyPair,
  disclosureKey,
  getPostMessageInstructionAsync,
  EscrowError,
  getArbiter,
  getTrade,
  hashText,
  MAX_MESSAGE_TEXT_LENGTH,
  MessageKind,
  openMessage,
  P2P_ESCROW_PROGRAM_ADDRESS,
  roomKeyPairFromSignature,
  roomKeyText,
  sealMessage,
  sendInstructions,
  TradeRoom,
  tradeAddress,
  type MessageContext,
} from "@p2p-escrow/sdk";
import {
  assertRefused,
  newKeyPair,
  offerTerms,
  recordingRpc,
  startDesk,
  TOKEN,
  type Desk,
} from "@p2p-escrow/testing";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const TRADE = address("7Kq6vTgkTmNRrHqbXUb6YE9zYvSmB5mxGskd9oEWLEvN");
const OFFER = address("3Xh3mYtM7LLs2aRnxRrjTd2XDx8Wn7KrwRuC7XpCw4rU");
const SELLER = address("9aE2WJ2hXrpM8ZWbC9UEcZ3UK5gD9nYKLtVyjd5Vt8LX");
/** Stand-ins for the two wallets' signatures over their room key texts. */
const SELLER_SIGNATURE = new Uint8Array(64).fill(1);
const BUYER_SIGNATURE = new Uint8Array(64).fill(2);
const NONCE = new Uint8Array(24).fill(3);

test("known answers pin the key derivation and the message format", () => {
  const seller = roomKeyPairFromSignature(SELLER_SIGNATURE, { kind: "offer", address: OFFER });
  const buyer = roomKeyPairFromSignature(BUYER_SIGNATURE, { kind: "trade", address: TRADE });
  assert.equal(hex(seller.secretKey), KNOWN.sellerSecret);
  assert.equal(hex(seller.publicKey), KNOWN.sellerPublic);
  assert.equal(hex(buyer.publicKey), KNOWN.buyerPublic);
  const key = conversationKey(seller.secretKey, buyer.publicKey, TRADE);
  assert.equal(hex(key), KNOWN.conversation);
  assert.deepEqual(conversationKey(buyer.secretKey, seller.publicKey, TRADE), key);
  const context: MessageContext = { trade: TRADE, author: SELLER, kind: MessageKind.Chat };
  const body = sealMessage(key, new TextEncoder().encode("IBAN DE89 3704"), context, NONCE);
  assert.equal(hex(body), KNOWN.body);
  assert.equal(new TextDecoder().decode(openMessage(key, body, context)), "IBAN DE89 3704");
  assert.equal(hex(disclosureKey(seller.secretKey, buyer.publicKey, TRADE)), KNOWN.disclosure);
  assert.equal(hex(arbiterNoteKey(seller.secretKey, buyer.publicKey, TRADE)), KNOWN.arbiterNote);
});

test("the room key text and a wallet's key from it are pinned", async () => {
  // Changing the text changes every room key: offers already open could no longer be read.
  const text = roomKeyText({ kind: "offer", address: OFFER });
  assert.equal(createHash("sha256").update(text).digest("hex"), KNOWN.text);
  const wallet = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(4));
  const keys = await deriveRoomKeyPair(wallet, { kind: "offer", address: OFFER });
  assert.equal(hex(keys.publicKey), KNOWN.walletRoomPublic);
});

test("the derivations agree with Node's own HKDF and X25519", () => {
  const bytesOf = (value: string) => new Uint8Array(getAddressEncoder().encode(address(value)));
  const salt = bytesOf(P2P_ESCROW_PROGRAM_ADDRESS);
  const info = (label: string, subject: string) =>
    Buffer.concat([Buffer.from(label), bytesOf(subject)]);
  const hkdf = (ikm: Uint8Array, label: string, subject: string) =>
    new Uint8Array(hkdfSync("sha256", ikm, salt, info(label, subject), 32));
  const sellerSecret = hkdf(SELLER_SIGNATURE, "p2p-escrow:room-key:v1", OFFER);
  assert.equal(hex(sellerSecret), KNOWN.sellerSecret);
  const base64url = (bytes: string) => Buffer.from(bytes, "hex").toString("base64url");
  const privateKey = createPrivateKey({
    key: {
      kty: "OKP",
      crv: "X25519",
      d: base64url(KNOWN.sellerSecret),
      x: base64url(KNOWN.sellerPublic),
    },
    format: "jwk",
  });
  assert.equal(
    hex(
      new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" })).slice(
        -32,
      ),
    ),
    KNOWN.sellerPublic,
  );
  const publicKey = createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: base64url(KNOWN.buyerPublic) },
    format: "jwk",
  });
  const shared = new Uint8Array(diffieHellman({ privateKey, publicKey }));
  assert.equal(hex(hkdf(shared, "p2p-escrow:room:v1", TRADE)), KNOWN.conversation);
});

test("tampered, moved, foreign and malformed messages are refused by name", () => {
  const seller = roomKeyPairFromSignature(SELLER_SIGNATURE, { kind: "offer", address: OFFER });
  const buyer = roomKeyPairFromSignature(BUYER_SIGNATURE, { kind: "trade", address: TRADE });
  const key = conversationKey(seller.secretKey, buyer.publicKey, TRADE);
  const context: MessageContext = { trade: TRADE, author: SELLER, kind: MessageKind.Chat };
  const body = sealMessage(key, new TextEncoder().encode("hello"), context);
  const refused = (action: () => unknown, name: string) =>
    assert.throws(action, (error) => error instanceof EscrowError && error.errorName === name);
  const flipped = body.slice();
  flipped[body.length - 1] ^= 1;
  refused(() => openMessage(key, flipped, context), "MessageNotAuthentic");
  // Moved to another author, kind or trade: the associated data no longer matches.
  refused(() => openMessage(key, body, { ...context, author: TRADE }), "MessageNotAuthentic");
  refused(
    () => openMessage(key, body, { ...context, kind: MessageKind.PaymentDetails }),
    "MessageNotAuthentic",
  );
  refused(() => openMessage(key, body, { ...context, trade: OFFER }), "MessageNotAuthentic");
  // A key of another trade, or of someone else.
  refused(
    () => openMessage(conversationKey(seller.secretKey, buyer.publicKey, OFFER), body, context),
    "MessageNotAuthentic",
  );
  refused(
    () => openMessage(disclosureKey(seller.secretKey, buyer.publicKey, TRADE), body, context),
    "MessageNotAuthentic",
  );
  refused(() => openMessage(key, body.slice(0, 30), context), "MessageMalformed");
  const future = body.slice();
  future[0] = 2;
  refused(() => openMessage(key, future, context), "UnsupportedMessageVersion");
  refused(() => conversationKey(seller.secretKey, new Uint8Array(32), TRADE), "InvalidRoomKey");
});

test("opening 100 messages takes under 100 ms", () => {
  const seller = roomKeyPairFromSignature(SELLER_SIGNATURE, { kind: "offer", address: OFFER });
  const buyer = roomKeyPairFromSignature(BUYER_SIGNATURE, { kind: "trade", address: TRADE });
  const key = conversationKey(seller.secretKey, buyer.publicKey, TRADE);
  const context: MessageContext = { trade: TRADE, author: SELLER, kind: MessageKind.Chat };
  const text = new Uint8Array(MAX_MESSAGE_TEXT_LENGTH).fill(65);
  const bodies = Array.from({ length: 100 }, () => sealMessage(key, text, context));
  openMessage(key, bodies[0], context);
  const start = performance.now();
  for (const body of bodies) openMessage(key, body, context);
  const ms = performance.now() - start;
  console.log(`opened 100 longest messages in ${ms.toFixed(1)} ms`);
  assert.ok(ms < 100, `${ms} ms`);
});

let desk: Desk;
before(async () => {
  desk = await startDesk();
});
after(async () => {
  await desk?.chain.stop();
});

test("a room on the chain: details, chat, payer, disclosure, the arbiter's reading and notes", async () => {
  const { client, keys, usd } = desk;
  const { address: offer } = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 100n * TOKEN,
    terms: await offerTerms(desk),
  });
  const { address: trade } = await client.takeOffer(keys.buyer, offer!, 10n * TOKEN);
  const seller = await TradeRoom.open(client, keys.seller, trade!);
  const buyer = await TradeRoom.open(client, keys.buyer, trade!);
  assert.deepEqual([seller.role, buyer.role], ["seller", "buyer"]);
  await seller.send(
    "SEPA to DE89 3704 0044 0532 0130 00, reference P2P-7",
    MessageKind.PaymentDetails,
  );
  await buyer.send("paying now");
  await buyer.send("from Jane Doe, DE02 1203 0000 0000 2020 51", MessageKind.PayerDeclaration);
  const lines = await buyer.read();
  assert.deepEqual(
    lines.map((line) => [line.authorRole, MessageKind[line.kind], line.text]),
    [
      ["seller", "PaymentDetails", "SEPA to DE89 3704 0044 0532 0130 00, reference P2P-7"],
      ["buyer", "Chat", "paying now"],
      ["buyer", "PayerDeclaration", "from Jane Doe, DE02 1203 0000 0000 2020 51"],
    ],
  );
  assert.deepEqual(
    (await seller.read()).map((line) => line.text),
    lines.map((line) => line.text),
  );
  assert.ok(lines.every((line) => line.postedAt > 0n));

  // Too long for one message: refused before anything is sent.
  const recording = recordingRpc(desk.chain.url);
  const { requests } = await recording.during(() =>
    assertRefused(buyer.send("x".repeat(MAX_MESSAGE_TEXT_LENGTH + 1)), "MessageTooLong"),
  );
  assert.equal(requests.length, 0);
  // Nobody else gets in.
  await assertRefused(TradeRoom.open(client, keys.stranger, trade!), "NotInTradeRoom");

  // A dispute: the arbiter cannot read until a party discloses, then reads and checks every line.
  await client.markPaid(keys.buyer, trade!, await hashText("P2P-7"));
  await client.openDispute(keys.seller, trade!);
  // Nobody discloses to an arbiter without a room key, and it cannot open the room yet.
  await assertRefused(buyer.disclose(), "ArbiterHasNoRoomKey");
  await assertRefused(TradeRoom.open(client, keys.arbiter, trade!), "ArbiterHasNoRoomKey");
  await client.setArbiterRoomKey(keys.arbiter);
  const arbiter = await TradeRoom.open(client, keys.arbiter, trade!);
  assert.equal(arbiter.role, "arbiter");
  assert.ok((await arbiter.read()).every((line) => line.text === undefined));
  await buyer.disclose();
  const read = await arbiter.read();
  assert.deepEqual(
    read
      .filter((line) => line.kind !== MessageKind.Disclosure)
      .map((line) => [line.author, line.text]),
    lines.map((line) => [line.author, line.text]),
  );
  // The fallback arbiter, not in charge and not disclosed to, reads nothing.
  await client.setArbiterRoomKey(keys.fallbackArbiter);
  const fallback = await TradeRoom.open(client, keys.fallbackArbiter, trade!);
  assert.ok((await fallback.read()).every((line) => line.text === undefined));

  // The arbiter writes to the buyer; the seller sees that a note went to the other party.
  await arbiter.note("buyer", "send me your bank statement");
  const forBuyer = (await buyer.read()).at(-1)!;
  assert.equal(forBuyer.text, "send me your bank statement");
  assert.equal((await seller.read()).at(-1)!.unreadable, "the arbiter's note to the other party");
  // The arbiter's messages are notes; a party's chat is the parties'.
  await assertRefused(arbiter.send("hi"), "MessageNotAllowed");
  await assertRefused(
    client.postMessage(keys.arbiter, trade!, MessageKind.Chat, new Uint8Array(48)),
    "MessageNotAllowed",
  );
  assert.notDeepEqual(
    (await getArbiter(desk.rpc, keys.arbiter.address)).roomKey,
    new Uint8Array(32),
  );
  assert.equal((await getTrade(desk.rpc, trade!)).buyerRoomKey.length, 32);
});

test("a wallet whose key is not the one on chain cannot open the room", async () => {
  const { client, keys, usd } = desk;
  const { address: offer } = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 10n * TOKEN,
    terms: await offerTerms(desk),
    roomKey: new Uint8Array(32).fill(9),
  });
  const { address: trade } = await client.takeOffer(keys.buyer2, offer!, TOKEN);
  await assertRefused(TradeRoom.open(client, keys.seller, trade!), "RoomKeyMismatch");
  const { signer: other } = await newKeyPair();
  await assertRefused(TradeRoom.open(client, other, trade!), "NotInTradeRoom");
});

test("lines of other trades that name this one are not this room's, and cannot break it", async () => {
  const { client, keys, usd } = desk;
  const { address: offer } = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 20n * TOKEN,
    terms: await offerTerms(desk),
  });
  // The buyer2's next trade address is known in advance: a stranger names it in a take of its
  // own before it exists, then posts lines of its own trade that name it too.
  const victim = await client.profileIds(keys.buyer2);
  const future = await tradeAddress(keys.buyer2.address, victim.tradeId);
  const { address: eveTrade } = await client.takeOffer(keys.buyer, offer!, TOKEN);
  const naming = async (kind: MessageKind) => {
    const post = await getPostMessageInstructionAsync({
      author: keys.buyer,
      trade: eveTrade!,
      kind,
      body: new Uint8Array(48).fill(1),
    });
    return {
      ...post,
      accounts: [...post.accounts, { address: future, role: AccountRole.READONLY }],
    };
  };
  await sendInstructions(desk.rpc, keys.buyer, [await naming(MessageKind.Chat)]);
  const { address: trade } = await client.takeOffer(keys.buyer2, offer!, TOKEN);
  assert.equal(trade, future);
  await sendInstructions(desk.rpc, keys.buyer, [await naming(MessageKind.PayerDeclaration)]);
  const room = await TradeRoom.open(client, keys.buyer2, trade!);
  await room.send("hello");
  assert.deepEqual(
    (await room.read()).map((line) => [line.author, line.text]),
    [[keys.buyer2.address, "hello"]],
  );
});

test("a disclosure of a made-up key reads only as unverified to the arbiter", async () => {
  const { client, keys, usd } = desk;
  const { address: offer } = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 20n * TOKEN,
    terms: await offerTerms(desk),
  });
  const { address: trade } = await client.takeOffer(keys.buyer, offer!, TOKEN);
  const buyer = await TradeRoom.open(client, keys.buyer, trade!);
  await (
    await TradeRoom.open(client, keys.seller, trade!)
  ).send("pay to DE89", MessageKind.PaymentDetails);
  await buyer.send("I paid 10.00");
  await client.markPaid(keys.buyer, trade!, await hashText("P2P-9"));
  await client.openDispute(keys.seller, trade!);
  await client.setArbiterRoomKey(keys.arbiter);
  // The seller discloses a key of its own making, and a line sealed under it.
  const seller = await deriveRoomKeyPair(keys.seller, { kind: "offer", address: offer! });
  const arbiterKey = (await getArbiter(desk.rpc, keys.arbiter.address)).roomKey;
  const fake = new Uint8Array(32).fill(8);
  const context = (kind: MessageKind) => ({ trade: trade!, author: keys.seller.address, kind });
  await client.postMessage(
    keys.seller,
    trade!,
    MessageKind.Chat,
    sealMessage(
      fake,
      new TextEncoder().encode("he admitted he never paid"),
      context(MessageKind.Chat),
    ),
  );
  await client.postMessage(
    keys.seller,
    trade!,
    MessageKind.Disclosure,
    sealMessage(
      disclosureKey(seller.secretKey, arbiterKey, trade!),
      fake,
      context(MessageKind.Disclosure),
    ),
  );
  const arbiter = await TradeRoom.open(client, keys.arbiter, trade!);
  const before = (await arbiter.read()).filter((line) => line.text !== undefined);
  assert.deepEqual(
    before.map((line) => [line.authorRole, line.text, line.unverified]),
    [["seller", "he admitted he never paid", true]],
  );
  // Once the buyer discloses the real key, which the seller's own details confirm, the genuine
  // lines read as confirmed; the made-up one stays flagged.
  await buyer.disclose();
  const after = (await arbiter.read()).filter((line) => line.text !== undefined);
  assert.deepEqual(
    after.map((line) => [line.authorRole, line.text, line.unverified]),
    [
      ["seller", "pay to DE89", undefined],
      ["buyer", "I paid 10.00", undefined],
      ["seller", "he admitted he never paid", true],
    ],
  );
});

/** Pinned outputs of the derivations above; a change of format must change these on purpose. */
const KNOWN = {
  text: "57f452a44057f6798294216abb09d776653ff7ad5a61b3b4f65028e120c79926",
  walletRoomPublic: "752efc97bc7d70346120809d767a1d5e3d4cc66a38cdc441f7de3e83f5c3ce56",
  disclosure: "1acbd845d0d3dba2176e6d5919d26e814d6a30d531d989c02e285f011e46c89f",
  arbiterNote: "b44cc17c43a13ec0bf6fc7d38be233d271d73de944f9815d75f50b9ad73e5bbb",
  sellerSecret: "50a7bfafd127bfc36b37e40ba20a58d7271d676caa6855b8282b4168c4c255ea",
  sellerPublic: "a6ee9fbad6bc189345cc27fa71cdc8a8e49b3ded28a1af2b584907ddfadb774c",
  buyerPublic: "6095b3b12ac8a1d5a7c2fa675cbc1de1c688af804c76b4520c960d46eddcaf6a",
  conversation: "f298c91d3b0b38f3516dd6effa7b0e2e1aa3452a23d52c0c3105dbe327455ae4",
  body: "01030303030303030303030303030303030303030303030303d0845939cb2d55ea5c6375adea2dbee09f509f1ba431cb68be464cc8f19b",
};
