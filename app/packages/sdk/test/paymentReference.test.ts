/**
 * Payment references: pinned known answers (cross-checked with Node's SHA-256), the check symbol
 * catching every single wrong symbol, tolerant parsing, and finding references in remittance text.
 */
import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";

import { address, getAddressEncoder } from "@solana/kit";

import {
  findPaymentReferences,
  parsePaymentReference,
  paymentReference,
  PAYMENT_REFERENCE_DOMAIN,
} from "@p2p-escrow/sdk";

const SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const SYSTEM = address("11111111111111111111111111111111");
const WRAPPED_SOL = address("So11111111111111111111111111111111111111112");

test("known answers, the first ten symbols cross-checked with Node's SHA-256", () => {
  assert.equal(paymentReference(SYSTEM), "P2P-PF9AQ-343AE-2");
  assert.equal(paymentReference(WRAPPED_SOL), "P2P-2D72Q-SY30V-M");
  for (const trade of [SYSTEM, WRAPPED_SOL]) {
    const digest = createHash("sha256")
      .update(PAYMENT_REFERENCE_DOMAIN)
      .update(new Uint8Array(getAddressEncoder().encode(trade)))
      .digest();
    const bits = digest.readBigUInt64BE(0) >> 14n;
    const expected = Array.from(
      { length: 10 },
      (_, i) => SYMBOLS[Number((bits >> BigInt(5 * (9 - i))) & 31n)],
    ).join("");
    assert.equal(paymentReference(trade).replace(/-/g, "").slice(3, 13), expected);
  }
});

test("parsing tolerates case, spaces, separators and Crockford's look-alikes", () => {
  const canonical = paymentReference(WRAPPED_SOL);
  for (const typed of [
    canonical,
    "p2p-2d72q-sy30v-m",
    "P2P 2D72Q SY30V M",
    "p2p.2d72q.sy3ov.m",
    "P2P/2D72QSY30VM",
    " P2P:2D72Q_SY30V-M ",
  ]) {
    assert.equal(parsePaymentReference(typed), canonical, typed);
  }
  for (const wrong of [
    "",
    "P2P",
    "2D72QSY30VM",
    "P2P-2D72Q-SY30V",
    "P2P-2D72Q-SY30V-MM",
    "P2P-2D72Q-SY30V-U",
  ]) {
    assert.equal(parsePaymentReference(wrong), null, wrong);
  }
});

test("the check symbol refuses every single wrong symbol", () => {
  const symbols = paymentReference(SYSTEM).replace(/-/g, "").slice(3);
  let refused = 0;
  for (let at = 0; at < symbols.length; at += 1) {
    for (const other of SYMBOLS) {
      if (other === symbols[at]) continue;
      const typo = `P2P${symbols.slice(0, at)}${other}${symbols.slice(at + 1)}`;
      assert.equal(parsePaymentReference(typo), null, typo);
      refused += 1;
    }
  }
  assert.equal(refused, 11 * 31);
});

test("references are found in remittance text, once each, in order", () => {
  const first = paymentReference(SYSTEM);
  const second = paymentReference(WRAPPED_SOL);
  assert.deepEqual(findPaymentReferences(`Rechnung 4711 ${first.toLowerCase()} danke`), [first]);
  assert.deepEqual(findPaymentReferences(`${second.replace(/-/g, " ")} / ${first} / ${second}`), [
    second,
    first,
  ]);
  assert.deepEqual(findPaymentReferences("P2P transfer, no reference"), []);
  // Not inside a longer word, nor followed by more symbols.
  assert.deepEqual(findPaymentReferences(`X${first}`), []);
  assert.deepEqual(findPaymentReferences(`${first}9`), []);
  assert.deepEqual(findPaymentReferences(`${first}, ${first.replace(/-/g, "")}`), [first]);
  assert.deepEqual(findPaymentReferences(first.slice(0, -1) + "0"), []);
});
