/**
 * Addresses the program derives: its PDAs (config, arbiter, profile, offer, trade, event
 * authority), the token accounts it owns (an offer's vault, a trade's holding account, a mint's
 * fee vault: each the associated token account of its owner PDA) and the program's ProgramData.
 * Offer and trade ids come from the wallet's profile and never repeat, so no address the program
 * derives ever names two things.
 */
import {
  address,
  getAddressEncoder,
  getProgramDerivedAddress,
  getU64Encoder,
  getUtf8Encoder,
  type Address,
} from "@solana/kit";
import { findAssociatedTokenPda } from "@solana-program/token";

import { findArbiterPda, findConfigPda, P2P_ESCROW_PROGRAM_ADDRESS } from "../generated";

export { P2P_ESCROW_PROGRAM_ADDRESS };

/** Token-2022, which the token client does not name. */
export const TOKEN_2022_PROGRAM_ADDRESS = address("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
/** The SPL memo program, which payouts call when a recipient requires memos. */
export const MEMO_PROGRAM_ADDRESS = address("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
/** The Ed25519 signature-verification precompile. */
export const ED25519_PROGRAM_ADDRESS = address("Ed25519SigVerify111111111111111111111111111");
/** The upgradeable BPF loader, owner of the program's ProgramData. */
export const BPF_LOADER_UPGRADEABLE_ADDRESS = address(
  "BPFLoaderUpgradeab1e11111111111111111111111",
);
/** Wrapped SOL. */
export const NATIVE_MINT_ADDRESS = address("So11111111111111111111111111111111111111112");

const addressEncoder = getAddressEncoder();
const u64Encoder = getU64Encoder();
const utf8 = getUtf8Encoder();

/** The program's config account. */
export async function configAddress(): Promise<Address> {
  return (await findConfigPda())[0];
}

/** The account of the arbiter whose signing key is `authority`. */
export async function arbiterAddress(authority: Address): Promise<Address> {
  return (await findArbiterPda({ authority }))[0];
}

/** The profile of `wallet`, which counts its offers and trades. */
export async function profileAddress(wallet: Address): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: P2P_ESCROW_PROGRAM_ADDRESS,
    seeds: [utf8.encode("profile"), addressEncoder.encode(wallet)],
  });
  return pda;
}

/** The offer `offerId` of `seller` (`offerId` is the seller's profile's `offersCreated` then). */
export async function offerAddress(seller: Address, offerId: bigint): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: P2P_ESCROW_PROGRAM_ADDRESS,
    seeds: [utf8.encode("offer"), addressEncoder.encode(seller), u64Encoder.encode(offerId)],
  });
  return pda;
}

/** The trade `tradeId` of `buyer` (`tradeId` is the buyer's profile's `tradesTaken` then). */
export async function tradeAddress(buyer: Address, tradeId: bigint): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: P2P_ESCROW_PROGRAM_ADDRESS,
    seeds: [utf8.encode("trade"), addressEncoder.encode(buyer), u64Encoder.encode(tradeId)],
  });
  return pda;
}

/** The signer of the program's self-CPI events. */
export async function eventAuthorityAddress(): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: P2P_ESCROW_PROGRAM_ADDRESS,
    seeds: [utf8.encode("__event_authority")],
  });
  return pda;
}

/** The program's ProgramData account under the upgradeable loader. */
export async function programDataAddress(): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: BPF_LOADER_UPGRADEABLE_ADDRESS,
    seeds: [addressEncoder.encode(P2P_ESCROW_PROGRAM_ADDRESS)],
  });
  return pda;
}

/** The associated token account of `owner` for `mint` under `tokenProgram`. */
export async function tokenAccountAddress(
  owner: Address,
  mint: Address,
  tokenProgram: Address,
): Promise<Address> {
  const [pda] = await findAssociatedTokenPda({ owner, mint, tokenProgram });
  return pda;
}

/** A mint's fee vault, where protocol fees collect: the config's associated token account. */
export async function feeVaultAddress(mint: Address, tokenProgram: Address): Promise<Address> {
  return tokenAccountAddress(await configAddress(), mint, tokenProgram);
}

/**
 * A trade's holding account, where a buyer's payout waits when its own token account cannot
 * receive: the trade's associated token account.
 */
export async function holdingAddress(
  trade: Address,
  mint: Address,
  tokenProgram: Address,
): Promise<Address> {
  return tokenAccountAddress(trade, mint, tokenProgram);
}
