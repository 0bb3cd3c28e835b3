/** A trade's history: every program event of every transaction that touched the trade. */
import type { Address } from "@solana/kit";

import { fetchTransactionEvents, type EscrowEvent, type EscrowRpc } from "../src/sdk";

export type TimelineEntry = { signature: string; blockTime: bigint | null; event: EscrowEvent };

export async function readTimeline(rpc: EscrowRpc, account: Address): Promise<TimelineEntry[]> {
  const signatures = await rpc.getSignaturesForAddress(account, { limit: 1000 }).send();
  const entries: TimelineEntry[] = [];
  for (const entry of [...signatures].reverse()) {
    if (entry.err) continue;
    const landed = await fetchTransactionEvents(rpc, entry.signature);
    for (const event of landed?.events ?? []) {
      entries.push({ signature: entry.signature, blockTime: entry.blockTime, event });
    }
  }
  return entries;
}
