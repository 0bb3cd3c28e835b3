/**
 * An RPC client that records every JSON-RPC request it makes: the method and, for
 * `sendTransaction`, the transaction's bytes on the wire. The budget and round-trip tests and the
 * bench count with it.
 */
import {
  createDefaultRpcTransport,
  createSolanaRpcFromTransport,
  getBase64Encoder,
  type ReadonlyUint8Array,
  type RpcTransport,
} from "@solana/kit";

import type { EscrowRpc } from "@p2p-escrow/sdk";

/** One request: its JSON-RPC method, and a sent transaction's bytes as they went on the wire. */
export type RecordedRequest = { method: string; transaction?: ReadonlyUint8Array };

export type RecordingRpc = {
  rpc: EscrowRpc;
  /** Every request so far, in order. */
  requests: RecordedRequest[];
  /** The requests made while `action` ran, and its result. */
  during<T>(action: () => Promise<T>): Promise<{ result: T; requests: RecordedRequest[] }>;
};

/** Requests per method, most frequent first. */
export function countByMethod(requests: readonly RecordedRequest[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const { method } of requests) counts.set(method, (counts.get(method) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

/**
 * An RPC client on `url` that records its requests; `delayMs` makes every request wait that long
 * first, as a node far away would answer.
 */
export function recordingRpc(url: string, options: { delayMs?: number } = {}): RecordingRpc {
  const requests: RecordedRequest[] = [];
  const transport = createDefaultRpcTransport({ url });
  const recording: RpcTransport = async (request) => {
    const payload = request.payload as { method: string; params: unknown[] };
    requests.push(
      payload.method === "sendTransaction"
        ? {
            method: payload.method,
            transaction: getBase64Encoder().encode(payload.params[0] as string),
          }
        : { method: payload.method },
    );
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return transport(request);
  };
  return {
    rpc: createSolanaRpcFromTransport(recording),
    requests,
    async during(action) {
      const start = requests.length;
      const result = await action();
      return { result, requests: requests.slice(start) };
    },
  };
}
