/**
 * The local chain's one non-standard RPC method: moving its clock forward, so deadlines can be
 * reached without waiting.
 */
export type LocalChainClock = { slot: number; unixTimestamp: number };

/** Moves the local chain's clock forward by `seconds`; returns the new slot and time. */
export async function advanceLocalClock(url: string, seconds: number): Promise<LocalChainClock> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "localchain_advanceClock",
      params: [seconds],
    }),
  });
  const body = (await response.json()) as {
    result?: LocalChainClock;
    error?: { code: number; message: string };
  };
  if (body.error || !body.result) {
    throw new Error(
      `${url} cannot move its clock: ${body.error?.message ?? "no result"} (is it the p2p-escrow local chain?)`,
    );
  }
  return body.result;
}
