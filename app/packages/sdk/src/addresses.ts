/**
 * Addresses the program derives, from the PDAs the generated client declares
 * (`scripts/generate.ts`): its PDAs (config, arbiter, profile, offer, trade, event authority),
 * the token accounts it owns (an offer's vault, a trade's holding account, a mint's
 * fee vault: each the associated token account of its owner PDA) and the program's ProgramData.
 * Offer and trade ids come from the wallet's profile and never repeat, so no address the program
 * derives ever names two things.
 */
import { address, type Address } from "@solana/kit";

import {
  findArbiterPda,
  findAssociatedTokenPda,
  findConfigPda,
  findEventAuthorityPda,
  findOfferPda,
  findProfilePda,
  findProgramDataPda,
  findTradePda,
  P2P_ESCROW_PROGRAM_ADDRESS,
} from "./generated";

export { P2P_ESCROW_PROGRAM_ADDRESS };

/** Token-2022, which the token client does not name. */
export const TOKEN_2022_PROGRAM_ADDRESS = address("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
/** The Ed25519 signature-verification precompile. */
export const ED25519_PROGRAM_ADDRESS = address("Ed25519SigVerify111111111111111111111111111");
/** Wrapped SOL. */
export const NATIVE_MINT_ADDRESS = address("So11111111111111111111111111111111111111112");

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
  return (await findProfilePda({ wallet }))[0];
}

/** The offer `offerId` of `seller` (`offerId` is the seller's profile's `offersCreated` then). */
export async function offerAddress(seller: Address, offerId: bigint): Promise<Address> {
  return (await findOfferPda({ seller, offerId }))[0];
}

/** The trade `tradeId` of `buyer` (`tradeId` is the buyer's profile's `tradesTaken` then). */
export async function tradeAddress(buyer: Address, tradeId: bigint): Promise<Address> {
  return (await findTradePda({ buyer, tradeId }))[0];
}

/** The signer of the program's self-CPI events. */
export async function eventAuthorityAddress(): Promise<Address> {
  return (await findEventAuthorityPda())[0];
}

/** The program's ProgramData account under the upgradeable loader. */
export async function programDataAddress(): Promise<Address> {
  return (await findProgramDataPda())[0];
}

/** The associated token account of `owner` for `mint` under `tokenProgram`. */
export async function tokenAccountAddress(
  owner: Address,
  mint: Address,
  tokenProgram: Address,
): Promise<Address> {
  return (await findAssociatedTokenPda({ owner, mint, tokenProgram }))[0];
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
