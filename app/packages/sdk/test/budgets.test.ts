/**
 * Transaction budgets: every program instruction, in the largest transaction the SDK sends it in
 * (see `measureEveryInstruction`), leaves at least 300 bytes of the 1,232-byte packet free,
 * without address lookup tables. Sizes are measured on the wire: the bytes of each
 * `sendTransaction` the SDK makes, recorded by the RPC transport.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { P2pEscrowInstruction } from "@p2p-escrow/sdk";
import {
  HEADROOM,
  measureEveryInstruction,
  PACKET_SIZE,
  startDesk,
  type Desk,
} from "@p2p-escrow/testing";

let desk: Desk;
before(async () => {
  desk = await startDesk();
});
after(async () => {
  await desk.chain.stop();
});

test("every instruction's largest transaction leaves 300 bytes of the packet", async () => {
  const costs = await measureEveryInstruction(desk);
  const instructions = Object.keys(P2pEscrowInstruction)
    .filter((name) => Number.isNaN(Number(name)))
    .map((name) => name.charAt(0).toLowerCase() + name.slice(1));
  assert.deepEqual(
    costs.map((cost) => cost.instruction).sort(),
    instructions.sort(),
    "every instruction measured",
  );
  for (const { instruction, bytes } of costs) {
    assert.ok(
      PACKET_SIZE - bytes >= HEADROOM,
      `${instruction}: ${bytes} bytes leave ${PACKET_SIZE - bytes}, less than ${HEADROOM}`,
    );
  }
});
