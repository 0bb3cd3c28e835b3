/**
 * Byte-level agreement with the Rust side: `vectors.json` is written by the Rust test
 * `vectors_match_the_committed_file` from anchor's own builders and the program's own types. Here
 * the TypeScript client builds the same instructions from the same inputs, decodes the same
 * accounts and events, derives the same addresses and signs the same attestation message.
 */
import { readFileSync } from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  AccountRole,
  address,
  createNoopSigner,
  getAddressEncoder,
  type Address,
  type Instruction,
  type ReadonlyUint8Array,
} from "@solana/kit";

import * as generated from "@p2p-escrow/sdk";
import {
  ACCOUNT_DISCRIMINATOR_SIZE,
  ANCHOR_ERRORS,
  arbiterAddress,
  attestationDigest,
  attestationPayload,
  changedTakeTerms,
  configAddress,
  conversationKey,
  decodeEvent,
  EVENT_IX_TAG,
  EVENT_NAMES,
  eventAuthorityAddress,
  feeVaultAddress,
  getOfferTermsDecoder,
  getOfferTermsEncoder,
  holdingAddress,
  MAX_MESSAGE_LENGTH,
  OFFER_OFFSETS,
  offerAddress,
  P2P_ESCROW_PROGRAM_ADDRESS,
  profileAddress,
  programDataAddress,
  programErrors,
  PUBLIC_DISPUTE_GRACE,
  roomKeyPairFromSignature,
  tokenAccountAddress,
  TAKE_TERMS_DOMAIN,
  takeTermsBytes,
  takeTermsHash,
  TRADE_OFFSETS,
  tradeAddress,
  type OfferTermsArgs,
  type TakeTerms,
} from "@p2p-escrow/sdk";
import { ANCHOR_ERRORS as anchorErrorTable } from "@p2p-escrow/sdk";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type VectorAccount = { name: string; address: string; signer: boolean; writable: boolean };
type Vectors = {
  programId: string;
  eventIxTag: string;
  pdas: Record<string, Record<string, string> | string>;
  instructions: {
    name: string;
    args: Record<string, Json>;
    accounts: VectorAccount[];
    data: string;
  }[];
  accounts: Record<
    "profile" | "config" | "arbiter" | "offer" | "trade",
    { bytes: string; fields: Json }
  >;
  events: { name: string; bytes: string; fields: Json }[];
  attestation: Record<string, Json>;
  takeTerms: { fields: Json; bytes: string; hash: string }[];
  anchorErrors: { code: number; name: string; message: string }[];
  lowOrderRoomKeys: string[];
};

const vectors = JSON.parse(
  readFileSync(new URL("./vectors.json", import.meta.url), "utf8"),
) as Vectors;
const idl = JSON.parse(
  readFileSync(new URL("../src/generated/idl.json", import.meta.url), "utf8"),
) as { events: { name: string }[]; constants: { name: string; value: string }[] };
const idlConstant = (name: string) => idl.constants.find((c) => c.name === name)?.value;

const hex = (bytes: ReadonlyUint8Array | readonly number[]) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text: string) => new Uint8Array(text.match(/../g)!.map((b) => parseInt(b, 16)));

/** The vectors' JSON form as the client's inputs: integers in strings are u64/i64 (bigint),
 * arrays of numbers are byte arrays. */
function toInput(value: Json): unknown {
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  if (Array.isArray(value)) {
    return value.every((v) => typeof v === "number")
      ? new Uint8Array(value as number[])
      : value.map(toInput);
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toInput(v)]));
  }
  return value;
}

/** A decoded value in the vectors' JSON form. */
function toJson(value: unknown): Json {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record.__option === "Some") return toJson(record.value);
    if (record.__option === "None") return null;
    return Object.fromEntries(
      Object.entries(record)
        .filter(([key]) => key !== "discriminator")
        .map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value as Json;
}

const pascal = (camel: string) => camel.charAt(0).toUpperCase() + camel.slice(1);

test("the program id and the event tag agree", () => {
  assert.equal(P2P_ESCROW_PROGRAM_ADDRESS, vectors.programId);
  assert.equal(hex(EVENT_IX_TAG as Uint8Array), vectors.eventIxTag);
});

test("every instruction encodes its data and orders its accounts as anchor does", () => {
  assert.equal(vectors.instructions.length, Object.keys(generated.P2pEscrowInstruction).length / 2);
  for (const vector of vectors.instructions) {
    const builder = (generated as unknown as Record<string, (input: object) => Instruction>)[
      `get${pascal(vector.name)}Instruction`
    ];
    assert.ok(builder, `a builder for ${vector.name}`);
    const accounts = Object.fromEntries(
      vector.accounts.map((a) => [
        a.name,
        a.signer ? createNoopSigner(address(a.address)) : address(a.address),
      ]),
    );
    const instruction = builder({ ...accounts, ...(toInput(vector.args) as object) });
    assert.equal(hex(instruction.data as Uint8Array), vector.data, `${vector.name} data`);
    const metas = (instruction.accounts ?? []).map((meta) => ({
      address: meta.address,
      signer:
        meta.role === AccountRole.READONLY_SIGNER || meta.role === AccountRole.WRITABLE_SIGNER,
      writable: meta.role === AccountRole.WRITABLE || meta.role === AccountRole.WRITABLE_SIGNER,
    }));
    assert.deepEqual(
      metas,
      vector.accounts.map(({ address, signer, writable }) => ({ address, signer, writable })),
      `${vector.name} accounts`,
    );
  }
});

test("account layouts decode to the program's values, and listing offsets point at them", () => {
  const decoders = {
    profile: generated.getProfileDecoder(),
    config: generated.getConfigDecoder(),
    arbiter: generated.getArbiterDecoder(),
    offer: generated.getOfferDecoder(),
    trade: generated.getTradeDecoder(),
  };
  for (const [name, decoder] of Object.entries(decoders)) {
    const vector = vectors.accounts[name as keyof typeof decoders];
    const bytes = fromHex(vector.bytes);
    assert.deepEqual(toJson(decoder.decode(bytes)), vector.fields, `${name} fields`);
    const encoder = {
      profile: generated.getProfileEncoder(),
      config: generated.getConfigEncoder(),
      arbiter: generated.getArbiterEncoder(),
      offer: generated.getOfferEncoder(),
      trade: generated.getTradeEncoder(),
    }[name as keyof typeof decoders];
    assert.equal(hex(encoder.encode(decoder.decode(bytes) as never) as Uint8Array), vector.bytes);
  }
  const field = (bytes: Uint8Array, offset: number) => hex(bytes.slice(offset, offset + 32));
  const pubkey = (value: Json) =>
    hex(getAddressEncoder().encode(address(value as string)) as Uint8Array);
  const offer = fromHex(vectors.accounts.offer.bytes);
  const offerFields = vectors.accounts.offer.fields as Record<string, Json>;
  assert.equal(field(offer, OFFER_OFFSETS.seller), pubkey(offerFields.seller));
  assert.equal(field(offer, OFFER_OFFSETS.mint), pubkey(offerFields.mint));
  assert.equal(
    field(offer, OFFER_OFFSETS.arbiter),
    pubkey((offerFields.terms as Record<string, Json>).arbiter),
  );
  const trade = fromHex(vectors.accounts.trade.bytes);
  const tradeFields = vectors.accounts.trade.fields as Record<string, Json>;
  for (const key of ["offer", "seller", "buyer", "mint", "arbiter"] as const) {
    assert.equal(field(trade, TRADE_OFFSETS[key]), pubkey(tradeFields[key]), `trade.${key}`);
  }
  assert.equal(trade[TRADE_OFFSETS.state], tradeFields.state);
  assert.equal(
    hex(offer.slice(0, ACCOUNT_DISCRIMINATOR_SIZE)),
    hex(generated.OFFER_DISCRIMINATOR as Uint8Array),
  );
});

test("events decode to the program's values, and every event of the IDL is known", () => {
  for (const vector of vectors.events) {
    const event = decodeEvent(fromHex(vector.bytes));
    assert.ok(event, `${vector.name} decodes`);
    assert.equal(event.name, vector.name);
    assert.deepEqual(toJson(event.data), vector.fields);
  }
  assert.deepEqual(
    [...EVENT_NAMES].sort(),
    idl.events.map((e) => e.name.charAt(0).toLowerCase() + e.name.slice(1)).sort(),
  );
});

test("PDAs and the vault derive to the program's addresses", async () => {
  const pdas = vectors.pdas as Record<string, Record<string, string>> & Record<string, string>;
  assert.equal(await configAddress(), pdas.config);
  assert.equal(await eventAuthorityAddress(), pdas.eventAuthority);
  assert.equal(await programDataAddress(), pdas.programData);
  assert.equal(await arbiterAddress(address(pdas.arbiter.authority)), pdas.arbiter.address);
  assert.equal(
    await offerAddress(address(pdas.offer.seller), BigInt(pdas.offer.offerId)),
    pdas.offer.address,
  );
  assert.equal(
    await tradeAddress(address(pdas.trade.buyer), BigInt(pdas.trade.tradeId)),
    pdas.trade.address,
  );
  assert.equal(await profileAddress(address(pdas.profile.wallet)), pdas.profile.address);
  assert.equal(
    await holdingAddress(
      address(pdas.holding.trade),
      address(pdas.holding.mint),
      address(pdas.holding.tokenProgram),
    ),
    pdas.holding.address,
  );
  assert.equal(
    await feeVaultAddress(address(pdas.feeVault.mint), address(pdas.feeVault.tokenProgram)),
    pdas.feeVault.address,
  );
  assert.equal(
    await tokenAccountAddress(
      address(pdas.vault.offer),
      address(pdas.vault.mint),
      address(pdas.vault.tokenProgram),
    ),
    pdas.vault.address,
  );
});

test("the attestation digest and signed payload are the program's, byte for byte", async () => {
  const a = vectors.attestation;
  const digest = await attestationDigest({
    trade: a.trade as Address,
    buyer: a.buyer as Address,
    mint: a.mint as Address,
    amount: BigInt(a.amount as string),
    paymentRefHash: new Uint8Array(a.paymentRefHash as number[]),
  });
  assert.equal(hex(digest), a.digest);
  const payload = await attestationPayload({
    trade: a.trade as Address,
    buyer: a.buyer as Address,
    mint: a.mint as Address,
    amount: BigInt(a.amount as string),
    paymentRefHash: new Uint8Array(a.paymentRefHash as number[]),
  });
  assert.equal(hex(payload), a.payload);
});

test("the take terms' bytes and hash are the program's, with and without a fallback", async () => {
  assert.equal(vectors.takeTerms.length, 2);
  for (const t of vectors.takeTerms) {
    const fields = t.fields as { [key: string]: Json };
    const terms: TakeTerms = {
      mint: fields.mint as Address,
      terms: getOfferTermsDecoder().decode(
        getOfferTermsEncoder().encode(toInput(fields.terms) as OfferTermsArgs),
      ),
      feeBps: fields.feeBps as number,
      arbiterFeeBps: fields.arbiterFeeBps as number,
      fallbackArbiter: fields.fallbackArbiter as Address | null,
      defaultBuyerBps: fields.defaultBuyerBps as number,
      rulingWindow: BigInt(fields.rulingWindow as string),
    };
    const bytes = takeTermsBytes(terms);
    assert.equal(hex(bytes.slice(TAKE_TERMS_DOMAIN.length)), t.bytes);
    assert.equal(hex(await takeTermsHash(terms)), t.hash);
    assert.deepEqual(changedTakeTerms(terms, terms), []);
    assert.deepEqual(changedTakeTerms(terms, { ...terms, feeBps: 51, rulingWindow: 1n }), [
      "feeBps",
      "rulingWindow",
    ]);
  }
});

test("anchor's framework errors carry anchor's names, codes and messages", () => {
  assert.equal(anchorErrorTable, ANCHOR_ERRORS);
  assert.deepEqual(
    [...ANCHOR_ERRORS].map(([code, e]) => ({ code, name: e.name, message: e.message })),
    vectors.anchorErrors,
  );
});

test("the client's program errors are the IDL's, and the generated constants agree", () => {
  const constants = Object.entries(generated)
    .filter(([name]) => name.startsWith("P2P_ESCROW_ERROR__"))
    .map(([, code]) => code as number)
    .sort((a, b) => a - b);
  assert.deepEqual(
    programErrors()
      .map((e) => e.code)
      .sort((a, b) => a - b),
    constants,
  );
  assert.equal(PUBLIC_DISPUTE_GRACE.toString(), idlConstant("PUBLIC_DISPUTE_GRACE"));
  assert.equal(MAX_MESSAGE_LENGTH.toString(), idlConstant("MAX_MESSAGE_LEN"));
});

test("the room keys the program refuses are the ones no agreement can use", () => {
  // noble, an implementation of its own, agrees: every key on the program's list yields no
  // shared secret, also with bit 255 set, while a key of a real pair does.
  const secret = new Uint8Array(32).fill(7);
  assert.equal(vectors.lowOrderRoomKeys.length, 7);
  for (const key of vectors.lowOrderRoomKeys) {
    for (const high of [false, true]) {
      const bytes = fromHex(key);
      if (high) bytes[31] |= 0x80;
      assert.throws(
        () => conversationKey(secret, bytes, P2P_ESCROW_PROGRAM_ADDRESS),
        (error) => error instanceof generated.EscrowError && error.errorName === "InvalidRoomKey",
        key,
      );
    }
  }
  const usable = roomKeyPairFromSignature(new Uint8Array(64).fill(5), {
    kind: "trade",
    address: P2P_ESCROW_PROGRAM_ADDRESS,
  }).publicKey;
  assert.equal(conversationKey(secret, usable, P2P_ESCROW_PROGRAM_ADDRESS).length, 32);
});
