/**
 * Every program instruction sent through the SDK in the largest transactions it makes (Token-2022
 * with a transfer fee, wrapped SOL with its wrapping and unwrapping, a wallet's first offer or take
 * opening its profile, the Ed25519 instruction of an attestation, the longest evidence URI, two
 * signers for `settle`, payouts creating token accounts or waiting on a frozen one), each measured
 * on the wire: its size, accounts, writable accounts and the compute units the chain reports. The
 * budget test holds the sizes; the bench prints them.
 */
import {
  getBase58Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  type KeyPairSigner,
  type Signature,
} from "@solana/kit";

import {
  advanceLocalClock,
  EscrowClient,
  getTrade,
  hashText,
  MAX_MESSAGE_LENGTH,
  MAX_PAYER_DECLARATION_LENGTH,
  MessageKind,
  mintTo,
  NATIVE_MINT_ADDRESS,
  signAttestation,
  TradeRoom,
  type OfferTermsInput,
} from "@p2p-escrow/sdk";

import {
  airdrop,
  ARBITER_FEE_BPS,
  coinAccount,
  FEE_BPS,
  fundedWallet,
  newKeyPair,
  offerTerms,
  RULING_WINDOW,
  setFrozen,
  startChain,
  TOKEN,
  type Desk,
} from "./desk";
import { recordingRpc, type RecordingRpc } from "./recordingRpc";

/** The most a transaction may hold: an IPv6 packet's 1,280 bytes less its headers. */
export const PACKET_SIZE = 1232;
/** What every instruction's largest transaction must leave free, for what comes next. */
export const HEADROOM = 300;

const TOKEN_2022 = "Token-2022 with a transfer fee";

/** One instruction's largest transaction. */
export type InstructionCost = {
  /** The SDK's name of the instruction (`takeOffer`). */
  instruction: string;
  /** What made this transaction the largest (empty when there is one way to send it). */
  variant: string;
  /** Bytes on the wire. */
  bytes: number;
  /** Accounts the transaction names (programs included), and how many it writes. */
  accounts: number;
  writable: number;
  /** What the chain reports in `meta.computeUnitsConsumed`. */
  computeUnits: bigint | null;
};

/** The cost of the one transaction `action` sent. */
async function measureSent(
  recording: RecordingRpc,
  instruction: string,
  variant: string,
  action: () => Promise<unknown>,
): Promise<InstructionCost> {
  const { requests } = await recording.during(action);
  // The transaction that landed: the last sent (one before it may have gone out on a blockhash
  // the chain no longer knew).
  const wire = requests.flatMap((request) => request.transaction ?? []).at(-1);
  if (!wire) throw new Error(`${instruction} sent no transaction`);
  const transaction = getTransactionDecoder().decode(wire);
  const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  const { header, staticAccounts } = message;
  const writable =
    header.numSignerAccounts -
    header.numReadonlySignerAccounts +
    (staticAccounts.length - header.numSignerAccounts - header.numReadonlyNonSignerAccounts);
  const signature = getBase58Decoder().decode(
    Object.values(transaction.signatures)[0]!,
  ) as Signature;
  const landed = await recording.rpc
    .getTransaction(signature, {
      encoding: "json",
      maxSupportedTransactionVersion: 0,
      commitment: "confirmed",
    })
    .send();
  return {
    instruction,
    variant,
    bytes: wire.length,
    accounts: staticAccounts.length,
    writable,
    computeUnits: landed?.meta?.computeUnitsConsumed ?? null,
  };
}

/**
 * Sends every instruction on `desk`'s chain (and `initializeConfig` on a chain of its own) and
 * returns each one's largest transaction.
 */
export async function measureEveryInstruction(desk: Desk): Promise<InstructionCost[]> {
  const { keys, usd } = desk;
  const recording = recordingRpc(desk.chain.url);
  const { rpc } = recording;
  const client = new EscrowClient(rpc);
  const largest = new Map<string, InstructionCost>();
  const measureOn = async <T>(
    on: RecordingRpc,
    instruction: string,
    variant: string,
    action: () => Promise<T>,
  ): Promise<T> => {
    let result: T | undefined;
    const cost = await measureSent(on, instruction, variant, async () => {
      result = await action();
    });
    if (cost.bytes > (largest.get(instruction)?.bytes ?? 0)) largest.set(instruction, cost);
    return result as T;
  };
  const measure = <T>(instruction: string, variant: string, action: () => Promise<T>) =>
    measureOn(recording, instruction, variant, action);
  const wallet = () => fundedWallet(rpc);
  const seller = await wallet();
  const buyers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => wallet()));
  await mintTo(rpc, {
    payer: keys.mintAuthority,
    mintAuthority: keys.mintAuthority,
    mint: usd,
    owner: seller.address,
    amount: 1_000n * TOKEN,
  });
  const terms = (overrides: Partial<OfferTermsInput> = {}) =>
    offerTerms(desk, { attestor: keys.attestor.address, ...overrides });

  // Offers: the seller's first, a private wrapped-SOL offer, opens its profile and wraps SOL in
  // the same transaction; wrapped SOL unwraps on the way out.
  const sol = (
    await measure(
      "createOffer",
      "wrapped SOL, private, the seller's first (opens its profile)",
      async () =>
        client.createOffer(seller, {
          mint: NATIVE_MINT_ADDRESS,
          amount: 2_000_000_000n,
          terms: await terms({ allowedBuyer: buyers[0].address }),
        }),
    )
  ).address!;
  const offer = (
    await measure("createOffer", "Token-2022 with a transfer fee", async () =>
      client.createOffer(seller, { mint: usd.address, amount: 500n * TOKEN, terms: await terms() }),
    )
  ).address!;
  await measure("deposit", TOKEN_2022, () => client.deposit(seller, offer, 10n * TOKEN));
  await measure("deposit", "wrapped SOL (wraps)", () => client.deposit(seller, sol, 100_000_000n));
  await measure("withdraw", TOKEN_2022, () => client.withdraw(seller, offer, TOKEN));
  await measure("withdraw", "wrapped SOL (unwraps)", () =>
    client.withdraw(seller, sol, 100_000_000n),
  );
  await measure("setOfferPaused", "", () => client.setOfferPaused(seller, sol, true));
  await measure("closeOffer", "wrapped SOL (unwraps)", () => client.closeOffer(seller, sol));

  // Trades: each buyer's first take opens its profile.
  const take = (buyer: KeyPairSigner) =>
    measure("takeOffer", "the buyer's first (opens its profile)", () =>
      client.takeOffer(buyer, offer, 10n * TOKEN),
    ).then((taken) => taken.address!);
  const paid = async (buyer: KeyPairSigner) => {
    const trade = await take(buyer);
    await measure("markPaid", "", async () =>
      client.markPaid(buyer, trade, await hashText("SEPA-2026-0001")),
    );
    return trade;
  };
  const [attested, released, ruled, settled, escalated, cancelled, expired, thawed] = buyers;
  const attestedTrade = await paid(attested);
  const state = await getTrade(rpc, attestedTrade);
  const signature = await signAttestation(keys.attestor.keyPair.privateKey, {
    trade: attestedTrade,
    buyer: state.buyer,
    mint: state.mint,
    amount: state.amount,
    paymentRefHash: state.paymentRefHash,
  });
  await measure("releaseWithAttestation", "with the Ed25519 instruction", () =>
    client.releaseWithAttestation(keys.stranger, attestedTrade, {
      attestor: keys.attestor.address,
      signature,
    }),
  );
  // A release to a buyer whose account is frozen: the payout waits, then the claim (into another
  // account: the buyer's own stays frozen).
  const releasedTrade = await paid(released);
  await setFrozen(desk, released.address, true);
  await measure("release", "to a frozen account (the payout waits)", () =>
    client.release(seller, releasedTrade),
  );
  const elsewhere = await coinAccount(desk, keys.stranger.address);
  await measure("claim", "into another account, rent to another wallet", () =>
    client.claim(released, releasedTrade, {
      destination: elsewhere,
      recipient: keys.stranger.address,
    }),
  );
  // The same, but the buyer's account is thawed before the claim: into its own account (the SDK
  // adds the idempotent creation of it), rent to another wallet.
  const thawedTrade = await paid(thawed);
  await setFrozen(desk, thawed.address, true);
  await client.release(seller, thawedTrade);
  await setFrozen(desk, thawed.address, false);
  await measure("claim", "into the buyer's own account, rent to another wallet", () =>
    client.claim(thawed, thawedTrade, { recipient: keys.stranger.address }),
  );
  // Disputes.
  const ruledTrade = await paid(ruled);
  await measure("openDispute", "", () => client.openDispute(seller, ruledTrade));
  await measure("submitEvidence", "a 200-character URI", async () =>
    client.submitEvidence(ruled, ruledTrade, await hashText("receipt"), "u".repeat(200)),
  );
  // The trade room: the arbiter's key, and the longest message a party may post.
  await measure("setArbiterRoomKey", "", () => client.setArbiterRoomKey(keys.arbiter));
  await measure("postMessage", `the longest body (${MAX_MESSAGE_LENGTH} bytes)`, () =>
    client.postMessage(
      ruled,
      ruledTrade,
      MessageKind.Disclosure,
      new Uint8Array(MAX_MESSAGE_LENGTH),
    ),
  );
  await measure("rule", "70/30, creating the buyer's token account", () =>
    client.rule(keys.arbiter, ruledTrade, 7_000),
  );
  const settledTrade = await paid(settled);
  await client.openDispute(seller, settledTrade);
  await measure("settle", "two signers", () => client.settle(settled, seller, settledTrade, 5_000));
  // Endings the parties negotiate, on a disputed trade (its arbiter's case closes).
  const negotiated = (await client.takeOffer(settled, offer, 10n * TOKEN)).address!;
  const room = await TradeRoom.open(client, settled, negotiated);
  await measure(
    "markPaid",
    `with the longest payer declaration (${MAX_PAYER_DECLARATION_LENGTH} bytes)`,
    async () =>
      room.markPaid("p".repeat(MAX_PAYER_DECLARATION_LENGTH), await hashText("SEPA-2026-0002")),
  );
  await client.openDispute(seller, negotiated);
  await measure("proposeEnding", "", () => client.proposeEnding(seller, negotiated, 4n * TOKEN));
  await measure("withdrawProposal", "", () => client.withdrawProposal(seller, negotiated));
  await client.proposeEnding(seller, negotiated, 4n * TOKEN);
  await measure("acceptProposal", "a disputed trade, paying the fee vault", () =>
    client.acceptProposal(settled, negotiated, 4n * TOKEN),
  );
  const escalatedTrade = await paid(escalated);
  await client.openDispute(seller, escalatedTrade);
  for (const _ of [1, 2]) {
    await advanceLocalClock(desk.chain.url, Number(RULING_WINDOW) + 1);
    await measure("escalate", "to the fallback arbiter, then to the default ruling", () =>
      client.escalate(keys.stranger, escalatedTrade),
    );
  }
  const cancelledTrade = await take(cancelled);
  await measure("cancelTrade", "", () => client.cancelTrade(cancelled, cancelledTrade));
  const expiredTrade = await take(expired);
  await advanceLocalClock(desk.chain.url, 1801);
  await measure("expireTrade", "", () => client.expireTrade(keys.stranger, expiredTrade));

  // The protocol's administration.
  const fees = await coinAccount(desk, keys.admin.address);
  await measure("withdrawFees", TOKEN_2022, () =>
    client.withdrawFees(keys.admin, usd.address, fees, 1n),
  );
  const params = {
    feeBps: FEE_BPS,
    fallbackArbiter: keys.fallbackArbiter.address,
    rulingWindow: RULING_WINDOW,
    defaultBuyerBps: 5_000,
  };
  await measure("updateConfig", "", () => client.updateConfig(keys.admin, params));
  await measure("setPause", "", () => client.setPause(keys.admin, true, true));
  await client.setPause(keys.admin, false, false);
  const newArbiter = await wallet();
  await measure("registerArbiter", "", () =>
    client.registerArbiter(keys.admin, newArbiter.address, ARBITER_FEE_BPS),
  );
  await measure("updateArbiter", "", () =>
    client.updateArbiter(keys.admin, newArbiter.address, ARBITER_FEE_BPS + 1, false),
  );
  await measure("proposeAdmin", "", () => client.proposeAdmin(keys.admin, keys.stranger.address));
  await measure("acceptAdmin", "", () => client.acceptAdmin(keys.stranger));
  await measure("openProfile", "", async () => client.openProfile(await wallet()));
  // The config's creation, on a chain of its own.
  const authority = await newKeyPair();
  const fresh = await startChain(authority.signer.address);
  try {
    const other = recordingRpc(fresh.url);
    await airdrop(other.rpc, authority.signer.address, 10);
    await measureOn(other, "initializeConfig", "", () =>
      new EscrowClient(other.rpc).initializeConfig(authority.signer, params),
    );
  } finally {
    await fresh.stop();
  }
  return [...largest.values()];
}
