/**
 * Which Solana cluster an RPC serves, as the Wallet Standard names chains (`solana:mainnet`,
 * `solana:devnet`, `solana:testnet`, `solana:localnet`): a wallet signs for the chain it is told,
 * so a dApp must name the one its RPC actually serves. Decided by the cluster's genesis hash
 * (`getGenesisHash`); the three public clusters' hashes are those their RPCs answer and the
 * Solana docs list. Any other genesis (a local chain, a test validator) is `solana:localnet`.
 */
import type { GetGenesisHashApi, Rpc } from "@solana/kit";

/** A Solana chain identifier of the Wallet Standard. */
export type SolanaChain = "solana:mainnet" | "solana:devnet" | "solana:testnet" | "solana:localnet";

/** The public clusters, by genesis hash. */
const CLUSTERS: Record<string, SolanaChain> = {
  "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d": "solana:mainnet",
  EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG: "solana:devnet",
  "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY": "solana:testnet",
};

/** The chain a genesis hash belongs to. */
export function chainOfGenesisHash(genesisHash: string): SolanaChain {
  return CLUSTERS[genesisHash] ?? "solana:localnet";
}

/** The chain `rpc` serves (one `getGenesisHash` request). */
export async function fetchWalletChain(rpc: Rpc<GetGenesisHashApi>): Promise<SolanaChain> {
  return chainOfGenesisHash(await rpc.getGenesisHash().send());
}
