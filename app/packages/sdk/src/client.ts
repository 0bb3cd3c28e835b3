/**
 * One call per user action. Each call reads what the instruction needs from the chain (the
 * offer's terms, the trade's parties, the wallet's profile, the arbiter in charge), derives
 * every account, adds wrapped-SOL wrapping where tokens come from SOL, sends the transaction with
 * a compute budget and waits for confirmation. Signers are kit `TransactionSigner`s: a key pair on
 * the command line, a wallet in a browser.
 *
 * A client spends few requests: what it reads together it reads in one `getMultipleAccounts`,
 * its transactions share a blockhash (`RecentBlockhash`), and it remembers what never changes
 * about the offers and trades it has read or taken (addresses never repeat), so an action on a
 * trade it knows reads nothing. A complete trade through one client (take, mark paid, release)
 * makes 9 requests; `test/roundTrips.test.ts` counts them.
 */
import {
  isMessagePartialSigner,
  type Address,
  type Instruction,
  type ReadonlyUint8Array,
  type TransactionSigner,
} from "@solana/kit";

import {
  getAcceptAdminInstructionAsync,
  getCancelTradeInstructionAsync,
  getAcceptProposalInstructionAsync,
  getClaimInstructionAsync,
  getCloseOfferInstructionAsync,
  getCreateOfferInstructionAsync,
  getDepositInstructionAsync,
  getEscalateInstructionAsync,
  getExpireTradeInstructionAsync,
  getInitializeConfigInstructionAsync,
  getMarkPaidInstructionAsync,
  getOpenProfileInstructionAsync,
  getOpenDisputeInstructionAsync,
  getPostMessageInstructionAsync,
  getSetArbiterRoomKeyInstructionAsync,
  getProposeAdminInstructionAsync,
  getProposeEndingInstructionAsync,
  getRegisterArbiterInstructionAsync,
  getReleaseInstructionAsync,
  getReleaseWithAttestationInstructionAsync,
  getRuleInstructionAsync,
  getSetOfferPausedInstructionAsync,
  getSetPauseInstructionAsync,
  getSettleInstructionAsync,
  getSubmitEvidenceInstructionAsync,
  getTakeOfferInstructionAsync,
  getUpdateArbiterInstructionAsync,
  getUpdateConfigInstructionAsync,
  getWithdrawFeesInstructionAsync,
  getWithdrawInstructionAsync,
  getWithdrawProposalInstructionAsync,
  decodeArbiter,
  decodeConfig,
  decodeOffer,
  decodeProfile,
  type Arbiter,
  type ConfigParamsArgs,
  type Config,
  type Offer,
  type OfferTermsArgs,
  MessageKind,
  type Profile,
  type Trade,
} from "./generated";
import {
  arbiterInCharge,
  arbiterNotFound,
  configNotFound,
  getConfig,
  getMaybeProfile,
  getOffer,
  getTrade,
  offerNotFound,
  readAccounts,
} from "./accounts";
import {
  arbiterAddress,
  configAddress,
  holdingAddress,
  NATIVE_MINT_ADDRESS,
  offerAddress,
  profileAddress,
  tradeAddress,
  tokenAccountAddress,
} from "./addresses";
import { attestationPayload, attestedTrade, ed25519Instruction } from "./attestation";
import { changedTakeTerms, takeTermsHash, type TakeTerms } from "./terms";
import { deriveRoomKeyPair, MAX_MESSAGE_LENGTH, type RoomSubject } from "./room";
import { EscrowError } from "./errors";
import {
  associatedAccountReadiness,
  createTokenAccountInstruction,
  getMintInfo,
  unwrapSolInstruction,
  wrapSolInstructions,
  type MintInfo,
} from "./tokens";
import {
  RecentBlockhash,
  sendInstructions,
  type EscrowRpc,
  type SendOptions,
  type SentTransaction,
} from "./transactions";

/** A sent action, with the address of the account it created, if any. */
export type ActionResult = SentTransaction & { address?: Address };

/** An offer's terms as a seller writes them. */
export type OfferTermsInput = {
  minTradeAmount: bigint;
  maxTradeAmount: bigint;
  /** Fiat minor units (cents) per whole token. */
  price: bigint;
  /** ISO 4217 code, three letters. */
  fiatCurrency: string;
  /** SHA-256 of the payment instructions the buyer follows (see `hashText`). */
  paymentTermsHash: ReadonlyUint8Array;
  /**
   * Seconds the buyer has to mark paid: from the seller's payment details in the trade's room when
   * `responseWindow` is set, otherwise from the take.
   */
  paymentWindow: bigint;
  /**
   * Seconds the seller has after a take to post its payment details in the trade's room (60 to
   * 86,400; `0n`: none, the payment window runs from the take). A seller who lets it pass lets
   * anyone end the trade with the buyer's bond returned.
   */
  responseWindow: bigint;
  /** Seconds the seller has to release after the buyer marked paid. */
  releaseWindow: bigint;
  /** The arbiter's signing key. */
  arbiter: Address;
  /** The payment service whose attestation releases trades. */
  attestor?: Address;
  /** Lamports a buyer locks per trade, lost if the trade expires. */
  buyerBond: bigint;
  /** Only this buyer may take the offer. */
  allowedBuyer?: Address;
};

/** SHA-256 of some bytes. */
export async function hashBytes(bytes: ReadonlyUint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
}

/** SHA-256 of a UTF-8 text (payment references, payment terms). */
export async function hashText(text: string): Promise<Uint8Array> {
  return hashBytes(new TextEncoder().encode(text));
}

/** Three ASCII letters as the program stores a fiat currency. */
export function fiatCurrencyBytes(code: string): Uint8Array {
  if (!/^[A-Z]{3}$/.test(code)) {
    throw new Error(`a fiat currency is three capital letters (ISO 4217), not "${code}"`);
  }
  return new TextEncoder().encode(code);
}

/** Decodes a stored fiat currency code. */
export function fiatCurrencyCode(bytes: ReadonlyUint8Array): string {
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function termsArgs(terms: OfferTermsInput): OfferTermsArgs {
  return {
    minTradeAmount: terms.minTradeAmount,
    maxTradeAmount: terms.maxTradeAmount,
    price: terms.price,
    fiatCurrency: fiatCurrencyBytes(terms.fiatCurrency),
    paymentTermsHash: terms.paymentTermsHash,
    paymentWindow: terms.paymentWindow,
    releaseWindow: terms.releaseWindow,
    arbiter: terms.arbiter,
    attestor: terms.attestor ?? null,
    buyerBond: terms.buyerBond,
    allowedBuyer: terms.allowedBuyer ?? null,
    responseWindow: terms.responseWindow,
  };
}

/** A wallet's next offer and trade ids, and the instruction that opens its profile if it has none. */
export type ProfileIds = { offerId: bigint; tradeId: bigint; open: Instruction[] };

/** What never changes about an offer. */
type OfferFacts = { seller: Address; mint: Address; tokenProgram: Address; vault: Address };

/**
 * What a client knows of a trade: what never changes about it (its parties, offer, token and
 * vault) and the arbiter in charge when it last saw the trade (a dispute escalated to the
 * fallback arbiter changes it).
 */
type TradeFacts = OfferFacts & { offer: Address; buyer: Address; arbiterInCharge: Address };

/** The accounts every trade instruction names the same way. */
function tradeAccounts(trade: Address, facts: TradeFacts) {
  return { offer: facts.offer, trade, mint: facts.mint, tokenProgram: facts.tokenProgram };
}

function offerFacts(offer: Offer): OfferFacts {
  return {
    seller: offer.seller,
    mint: offer.mint,
    tokenProgram: offer.tokenProgram,
    vault: offer.vault,
  };
}

/**
 * Refusals that can come from what a client remembered being out of date (the arbiter in charge
 * changed; the trade account is gone): the action is tried once more on what the chain says now.
 */
const OUT_OF_DATE = new Set([
  "ArbiterMismatch",
  "AccountNotInitialized",
  "AccountOwnedByWrongProgram",
]);

/** How many offers and trades a client remembers; the least recently learned are forgotten. */
const REMEMBERED = 1_000;

function remember<T>(memory: Map<Address, T>, address: Address, value: T): void {
  memory.delete(address);
  memory.set(address, value);
  const oldest = memory.keys().next().value;
  if (memory.size > REMEMBERED && oldest !== undefined) memory.delete(oldest);
}

/** The fallback arbiter a take fixes: registered, active, neither party nor the offer's arbiter. */
function usableFallback(
  offer: Offer,
  buyer: Address,
  fallbackArbiter: Address,
  fallback: Arbiter | null,
): Address | null {
  const usable =
    fallback?.active === true &&
    ![offer.terms.arbiter, offer.seller, buyer].includes(fallbackArbiter);
  return usable ? fallbackArbiter : null;
}

/** What an offer instruction of the seller needs around the offer. */
type OfferContext = {
  mint: MintInfo;
  accounts: { offer: Address; mint: Address; tokenProgram: Address };
};

/** What the clients made by one `EscrowClient` and its `with` share. */
type Memory = {
  blockhash: RecentBlockhash;
  offers: Map<Address, OfferFacts>;
  trades: Map<Address, TradeFacts>;
};

export class EscrowClient {
  private readonly memory: Memory;

  constructor(
    readonly rpc: EscrowRpc,
    readonly sendOptions: SendOptions = {},
    memory?: Memory,
  ) {
    this.memory = memory ?? {
      blockhash: sendOptions.blockhash ?? new RecentBlockhash(rpc),
      offers: new Map(),
      trades: new Map(),
    };
  }

  /**
   * The same client (its blockhash and what it knows of offers and trades) with other send
   * options, for example a page's progress reporting for one action.
   */
  with(options: Omit<SendOptions, "blockhash">): EscrowClient {
    return new EscrowClient(this.rpc, { ...this.sendOptions, ...options }, this.memory);
  }

  private async send(
    feePayer: TransactionSigner,
    instructions: Instruction[],
    address?: Address,
  ): Promise<ActionResult> {
    const sent = await sendInstructions(this.rpc, feePayer, instructions, {
      ...this.sendOptions,
      blockhash: this.memory.blockhash,
    });
    return address ? { ...sent, address } : sent;
  }

  /** What never changes about `offer`: remembered, or read (`OfferNotFound`). */
  private async knownOffer(offer: Address): Promise<OfferFacts> {
    const known = this.memory.offers.get(offer);
    if (known) return known;
    const facts = offerFacts(await getOffer(this.rpc, offer));
    remember(this.memory.offers, offer, facts);
    return facts;
  }

  /** The trade as it is now (`TradeNotFound`), and what the client then knows of it. */
  private async readTrade(address: Address): Promise<{ trade: Trade; facts: TradeFacts }> {
    const trade = await getTrade(this.rpc, address);
    const facts: TradeFacts = {
      ...(await this.knownOffer(trade.offer)),
      offer: trade.offer,
      buyer: trade.buyer,
      arbiterInCharge: arbiterInCharge(trade),
    };
    remember(this.memory.trades, address, facts);
    return { trade, facts };
  }

  /**
   * Sends what `build` makes from what the client knows of `trade` (read first if it knows
   * nothing). If the chain refuses it because that knowledge was out of date, the client reads
   * the trade and sends once more (a trade that has ended then fails with `TradeNotFound`). An
   * action that `ends` the trade makes the client forget it.
   */
  private async onTrade(
    feePayer: TransactionSigner,
    trade: Address,
    build: (facts: TradeFacts) => Promise<Instruction[]>,
    ends = false,
  ): Promise<ActionResult> {
    const known = this.memory.trades.get(trade);
    const facts = known ?? (await this.readTrade(trade)).facts;
    let result: ActionResult;
    try {
      result = await this.send(feePayer, await build(facts));
    } catch (error) {
      if (!known || !(error instanceof EscrowError) || !OUT_OF_DATE.has(error.errorName)) {
        throw error;
      }
      this.memory.trades.delete(trade);
      result = await this.send(feePayer, await build((await this.readTrade(trade)).facts));
    }
    if (ends) this.memory.trades.delete(trade);
    return result;
  }

  /** The offer as it is now (`OfferNotFound`), with its mint. */
  private async offerContext(address: Address): Promise<OfferContext> {
    const offer = offerFacts(await getOffer(this.rpc, address));
    remember(this.memory.offers, address, offer);
    return {
      mint: await getMintInfo(this.rpc, offer.mint),
      accounts: { offer: address, mint: offer.mint, tokenProgram: offer.tokenProgram },
    };
  }

  /**
   * `wallet`'s room public key for `subject`: `given`, or derived from the wallet's signature
   * (`deriveRoomKeyPair`); `RoomKeyNeeded` when the wallet cannot sign messages and none is given.
   */
  private async roomKey(
    wallet: TransactionSigner,
    subject: RoomSubject,
    given?: ReadonlyUint8Array,
  ): Promise<ReadonlyUint8Array> {
    if (given) return given;
    if (!isMessagePartialSigner(wallet)) {
      throw new EscrowError({
        name: "RoomKeyNeeded",
        message:
          "this wallet cannot sign messages, so its trade-room key cannot be derived: give one",
        logs: [],
      });
    }
    return (await deriveRoomKeyPair(wallet, subject)).publicKey;
  }

  // ----- protocol administration -----

  /** Creates the config; signed by the program's upgrade authority, who becomes admin. */
  async initializeConfig(
    authority: TransactionSigner,
    params: ConfigParamsArgs,
  ): Promise<ActionResult> {
    const instruction = await getInitializeConfigInstructionAsync({ authority, params });
    return this.send(authority, [instruction], await configAddress());
  }

  async updateConfig(admin: TransactionSigner, params: ConfigParamsArgs): Promise<ActionResult> {
    const instruction = await getUpdateConfigInstructionAsync({ admin, params });
    return this.send(admin, [instruction]);
  }

  async setPause(
    admin: TransactionSigner,
    newOffersPaused: boolean,
    newTradesPaused: boolean,
  ): Promise<ActionResult> {
    const instruction = await getSetPauseInstructionAsync({
      admin,
      newOffersPaused,
      newTradesPaused,
    });
    return this.send(admin, [instruction]);
  }

  async proposeAdmin(admin: TransactionSigner, newAdmin: Address): Promise<ActionResult> {
    const instruction = await getProposeAdminInstructionAsync({ admin, newAdmin });
    return this.send(admin, [instruction]);
  }

  async acceptAdmin(newAdmin: TransactionSigner): Promise<ActionResult> {
    const instruction = await getAcceptAdminInstructionAsync({ newAdmin });
    return this.send(newAdmin, [instruction]);
  }

  /** Registers the arbiter whose signing key is `authority`. Admin only. */
  async registerArbiter(
    admin: TransactionSigner,
    authority: Address,
    feeBps: number,
  ): Promise<ActionResult> {
    const instruction = await getRegisterArbiterInstructionAsync({ admin, authority, feeBps });
    return this.send(admin, [instruction], await arbiterAddress(authority));
  }

  async updateArbiter(
    admin: TransactionSigner,
    authority: Address,
    feeBps: number,
    active: boolean,
  ): Promise<ActionResult> {
    const instruction = await getUpdateArbiterInstructionAsync({
      admin,
      arbiter: await arbiterAddress(authority),
      feeBps,
      active,
    });
    return this.send(admin, [instruction]);
  }
  /**
   * Sets the room key parties disclose a dispute's room to, derived from the arbiter's wallet
   * signature (`roomKey` to give one). Signed by the arbiter itself.
   */
  async setArbiterRoomKey(
    arbiter: TransactionSigner,
    options: { roomKey?: ReadonlyUint8Array } = {},
  ): Promise<ActionResult> {
    const account = await arbiterAddress(arbiter.address);
    const roomKey = await this.roomKey(
      arbiter,
      { kind: "arbiter", address: account },
      options.roomKey,
    );
    const instruction = await getSetArbiterRoomKeyInstructionAsync({
      authority: arbiter,
      arbiter: account,
      roomKey,
    });
    return this.send(arbiter, [instruction]);
  }

  // ----- sellers -----

  /**
   * Opens `wallet`'s profile, which hands out its offer and trade ids. `createOffer` and
   * `takeOffer` open it on the way when it is missing; a dApp may open it ahead.
   */
  async openProfile(wallet: TransactionSigner): Promise<ActionResult> {
    const instruction = await this.openProfileInstruction(wallet);
    return this.send(wallet, [instruction], await profileAddress(wallet.address));
  }

  private async openProfileInstruction(wallet: TransactionSigner): Promise<Instruction> {
    return getOpenProfileInstructionAsync({ wallet });
  }

  /**
   * The wallet's next offer and trade ids (its profile's counters; 0 before its first), with the
   * `open_profile` instruction to send first when the wallet has no profile yet.
   */
  async profileIds(wallet: TransactionSigner): Promise<ProfileIds> {
    return this.idsOf(wallet, await getMaybeProfile(this.rpc, wallet.address));
  }

  /** `profileIds` from the wallet's profile as read (null: none yet). */
  private async idsOf(wallet: TransactionSigner, profile: Profile | null): Promise<ProfileIds> {
    if (profile) {
      return { offerId: profile.offersCreated, tradeId: profile.tradesTaken, open: [] };
    }
    return { offerId: 0n, tradeId: 0n, open: [await this.openProfileInstruction(wallet)] };
  }

  /**
   * Creates an offer and funds its vault with `amount` of the seller's tokens (SOL is wrapped).
   * The offer's id is the seller's next (the profile is opened in the same transaction before
   * the seller's first offer); a concurrent offer of the same seller makes this one fail with
   * `OfferIdNotNext`. The offer carries the seller's room key for it (`roomKey`, 32 bytes, or
   * derived from the seller's wallet signature: the wallet is asked to sign `roomKeyText`).
   */
  async createOffer(
    seller: TransactionSigner,
    input: {
      mint: Address;
      amount: bigint;
      terms: OfferTermsInput;
      roomKey?: ReadonlyUint8Array;
    },
  ): Promise<ActionResult> {
    const mint = await getMintInfo(this.rpc, input.mint);
    const { offerId, open } = await this.profileIds(seller);
    const offer = await offerAddress(seller.address, offerId);
    const roomKey = await this.roomKey(seller, { kind: "offer", address: offer }, input.roomKey);
    const instructions: Instruction[] = [
      ...open,
      ...(mint.address === NATIVE_MINT_ADDRESS
        ? await wrapSolInstructions(seller, input.amount, mint)
        : []),
    ];
    instructions.push(
      await getCreateOfferInstructionAsync({
        seller,
        arbiter: await arbiterAddress(input.terms.arbiter),
        mint: mint.address,
        tokenProgram: mint.tokenProgram,
        offerId,
        amount: input.amount,
        terms: termsArgs(input.terms),
        roomKey,
      }),
    );
    return this.send(seller, instructions, offer);
  }

  /** Adds tokens to an offer's vault. */
  async deposit(seller: TransactionSigner, offer: Address, amount: bigint): Promise<ActionResult> {
    const context = await this.offerContext(offer);
    const instructions: Instruction[] =
      context.mint.address === NATIVE_MINT_ADDRESS
        ? await wrapSolInstructions(seller, amount, context.mint)
        : [];
    instructions.push(await getDepositInstructionAsync({ seller, amount, ...context.accounts }));
    return this.send(seller, instructions);
  }

  /**
   * The token account a payout to `owner` goes to: `destination` when given, otherwise `owner`'s
   * associated token account (with the instruction that creates it if missing). Fails with
   * `DestinationNeeded` before sending when that account cannot receive (frozen, or its owner
   * was changed).
   */
  private async ownTokenAccount(
    owner: TransactionSigner,
    mint: MintInfo,
    destination?: Address,
  ): Promise<{ destination: Address; instructions: Instruction[]; own: boolean }> {
    if (destination) return { destination, instructions: [], own: false };
    const readiness = await associatedAccountReadiness(this.rpc, owner.address, mint);
    if (readiness !== "ready" && readiness !== "missing") {
      throw new EscrowError({
        name: "DestinationNeeded",
        message: `your token account for this mint cannot receive (${readiness}): name another token account of the mint as the destination`,
        logs: [],
      });
    }
    return {
      destination: await tokenAccountAddress(owner.address, mint.address, mint.tokenProgram),
      instructions: [await createTokenAccountInstruction(owner, owner.address, mint)],
      own: true,
    };
  }

  /**
   * Takes back up to `available` tokens into `destination` (any token account of the mint;
   * default the seller's own, see `ownTokenAccount`). Wrapped SOL paid to the seller's own
   * account is unwrapped.
   */
  async withdraw(
    seller: TransactionSigner,
    offer: Address,
    amount: bigint,
    options: { destination?: Address } = {},
  ): Promise<ActionResult> {
    return this.payOutToSeller(seller, offer, options.destination, (accounts, destination) =>
      getWithdrawInstructionAsync({ seller, amount, ...accounts, destination }),
    );
  }

  async setOfferPaused(
    seller: TransactionSigner,
    offer: Address,
    paused: boolean,
  ): Promise<ActionResult> {
    const instruction = await getSetOfferPausedInstructionAsync({ seller, offer, paused });
    return this.send(seller, [instruction]);
  }

  /**
   * Closes an offer with nothing locked: its tokens go to `destination` (default the seller's own
   * token account, see `ownTokenAccount`), its rent and any bond that waited on it to the seller.
   */
  async closeOffer(
    seller: TransactionSigner,
    offer: Address,
    options: { destination?: Address } = {},
  ): Promise<ActionResult> {
    return this.payOutToSeller(seller, offer, options.destination, (accounts, destination) =>
      getCloseOfferInstructionAsync({ seller, ...accounts, destination }),
    );
  }

  /**
   * Sends the instruction `build` makes, which pays `seller` out of `offer`'s vault into
   * `destination` (default the seller's own token account, see `ownTokenAccount`, created first
   * if missing; wrapped SOL arriving there is unwrapped after).
   */
  private async payOutToSeller(
    seller: TransactionSigner,
    offer: Address,
    destination: Address | undefined,
    build: (accounts: OfferContext["accounts"], destination: Address) => Promise<Instruction>,
  ): Promise<ActionResult> {
    const context = await this.offerContext(offer);
    const to = await this.ownTokenAccount(seller, context.mint, destination);
    const instructions = [...to.instructions, await build(context.accounts, to.destination)];
    if (to.own && context.mint.address === NATIVE_MINT_ADDRESS) {
      instructions.push(await unwrapSolInstruction(seller, context.mint));
    }
    return this.send(seller, instructions);
  }

  /**
   * Pays the buyer (less the protocol fee, which goes to the mint's fee vault). What the buyer's
   * token account cannot receive waits on the trade for the buyer's `claim`.
   */
  async release(seller: TransactionSigner, trade: Address): Promise<ActionResult> {
    return this.onTrade(
      seller,
      trade,
      async (facts) => [
        await getReleaseInstructionAsync({
          seller,
          buyer: facts.buyer,
          arbiter: await arbiterAddress(facts.arbiterInCharge),
          ...tradeAccounts(trade, facts),
        }),
      ],
      true,
    );
  }

  // ----- buyers -----

  /**
   * The terms a take of `offer` by `buyer` fixes now (what a front end shows before the take):
   * the offer's terms and mint, the protocol and arbiter fees, the fallback arbiter (the config's,
   * when it is registered, active, neither party nor the offer's arbiter; otherwise none), the
   * default ruling and the ruling window. Reads both arbiters in one request (and the config
   * first unless given). Fails with `ConfigNotFound` or `ArbiterNotFound`.
   */
  async takeTerms(offer: Offer, buyer: Address, config?: Config): Promise<TakeTerms> {
    const current = config ?? (await getConfig(this.rpc));
    const [arbiter, fallback] = await readAccounts<[Arbiter, Arbiter]>(this.rpc, [
      { address: await arbiterAddress(offer.terms.arbiter), decode: decodeArbiter },
      { address: await arbiterAddress(current.fallbackArbiter), decode: decodeArbiter },
    ]);
    if (!arbiter) throw arbiterNotFound(offer.terms.arbiter);
    return {
      mint: offer.mint,
      terms: offer.terms,
      feeBps: current.feeBps,
      arbiterFeeBps: arbiter.feeBps,
      fallbackArbiter: usableFallback(offer, buyer, current.fallbackArbiter, fallback),
      defaultBuyerBps: current.defaultBuyerBps,
      rulingWindow: current.rulingWindow,
    };
  }

  /**
   * Takes `amount` from an offer. The transaction carries the hash of every term that decides the
   * trade's outcome (`takeTerms`: `options.seen`, what the buyer was shown, or the terms as read
   * now); the program fixes them in the trade and refuses the take with `TermsMismatch` if any
   * changed before it landed, and this call then names the terms that changed in the error's
   * message. The trade lives at the buyer's next trade id, so buyers taking the same offer never
   * collide. The trade carries the buyer's room key for it (`options.roomKey`, or derived from the
   * buyer's wallet signature). Reads the offer, the config and the buyer's profile in one request (and, without
   * `seen`, both arbiters in a second). Fails with `OfferNotFound` or `ConfigNotFound` before
   * sending.
   */
  async takeOffer(
    buyer: TransactionSigner,
    offer: Address,
    amount: bigint,
    options: { seen?: TakeTerms; roomKey?: ReadonlyUint8Array } = {},
  ): Promise<ActionResult> {
    const [state, config, profile] = await readAccounts<[Offer, Config, Profile]>(this.rpc, [
      { address: offer, decode: decodeOffer },
      { address: await configAddress(), decode: decodeConfig },
      { address: await profileAddress(buyer.address), decode: decodeProfile },
    ]);
    if (!state) throw offerNotFound(offer);
    if (!config) throw configNotFound();
    const facts = offerFacts(state);
    remember(this.memory.offers, offer, facts);
    const seen = options.seen ?? (await this.takeTerms(state, buyer.address, config));
    const { tradeId, open } = await this.idsOf(buyer, profile);
    const trade = await tradeAddress(buyer.address, tradeId);
    const roomKey = await this.roomKey(buyer, { kind: "trade", address: trade }, options.roomKey);
    const instruction = await getTakeOfferInstructionAsync({
      buyer,
      offer,
      arbiter: await arbiterAddress(state.terms.arbiter),
      fallbackArbiter: await arbiterAddress(config.fallbackArbiter),
      vault: state.vault,
      mint: state.mint,
      tradeId,
      amount,
      expectedTermsHash: await takeTermsHash(seen),
      roomKey,
    });
    let taken: ActionResult;
    try {
      taken = await this.send(buyer, [...open, instruction], trade);
    } catch (error) {
      if (!(error instanceof EscrowError) || error.errorName !== "TermsMismatch") throw error;
      let changed: string[];
      try {
        const now = await this.takeTerms(await getOffer(this.rpc, offer), buyer.address);
        changed = changedTakeTerms(seen, now);
      } catch {
        throw error;
      }
      throw new EscrowError(
        {
          ...error.description,
          message: `${error.description.message} (changed: ${changed.join(", ") || "none now"})`,
        },
        error.signature,
      );
    }
    remember(this.memory.trades, trade, {
      ...facts,
      offer,
      buyer: buyer.address,
      arbiterInCharge: state.terms.arbiter,
    });
    return taken;
  }

  /**
   * Marks the trade paid with the SHA-256 of the payment reference (see `hashText`); with
   * `payerDeclaration` (a sealed body, see `TradeRoom.markPaid`) the buyer's payer declaration is
   * posted in the same transaction, first.
   */
  async markPaid(
    buyer: TransactionSigner,
    trade: Address,
    paymentRefHash: ReadonlyUint8Array,
    options: { payerDeclaration?: ReadonlyUint8Array } = {},
  ): Promise<ActionResult> {
    const declare = options.payerDeclaration
      ? [
          await getPostMessageInstructionAsync({
            author: buyer,
            trade,
            kind: MessageKind.PayerDeclaration,
            body: options.payerDeclaration,
          }),
        ]
      : [];
    const instruction = await getMarkPaidInstructionAsync({ buyer, trade, paymentRefHash });
    return this.send(buyer, [...declare, instruction]);
  }

  /** Cancels an unpaid trade; the buyer gets its bond and rent back. */
  async cancelTrade(buyer: TransactionSigner, trade: Address): Promise<ActionResult> {
    return this.onTrade(
      buyer,
      trade,
      async (facts) => [
        await getCancelTradeInstructionAsync({
          buyer,
          offer: facts.offer,
          trade,
          vault: facts.vault,
        }),
      ],
      true,
    );
  }

  // ----- anyone -----

  /**
   * Ends an unpaid trade after its payment deadline (the bond goes to the seller), or after its
   * response deadline when the seller never posted payment details (the bond goes back to the
   * buyer; see `unanswered`). Refused with `PaymentDeadlineNotReached` or
   * `ResponseDeadlineNotReached` before.
   */
  async expireTrade(cranker: TransactionSigner, trade: Address): Promise<ActionResult> {
    return this.onTrade(
      cranker,
      trade,
      async (facts) => [
        await getExpireTradeInstructionAsync({
          cranker,
          seller: facts.seller,
          buyer: facts.buyer,
          offer: facts.offer,
          trade,
          vault: facts.vault,
        }),
      ],
      true,
    );
  }

  /**
   * Relays a payment service's attestation: the Ed25519 verification of `signature` by
   * `attestor`, then `release_with_attestation`, in one transaction paid by `relayer`.
   */
  async releaseWithAttestation(
    relayer: TransactionSigner,
    trade: Address,
    attestation: { attestor: Address; signature: ReadonlyUint8Array },
  ): Promise<ActionResult> {
    // The attestation covers the payment reference marked paid: read the trade as it is now.
    const { trade: state, facts } = await this.readTrade(trade);
    const message = await attestationPayload(attestedTrade(trade, state));
    const release = await getReleaseWithAttestationInstructionAsync({
      relayer,
      buyer: state.buyer,
      ...tradeAccounts(trade, facts),
    });
    return this.send(relayer, [
      ed25519Instruction(attestation.attestor, attestation.signature, message),
      release,
    ]);
  }

  // ----- disputes -----

  /** Opens a dispute on a paid trade (seller any time; buyer, then anyone, after deadlines). */
  async openDispute(caller: TransactionSigner, trade: Address): Promise<ActionResult> {
    return this.onTrade(caller, trade, async (facts) => [
      await getOpenDisputeInstructionAsync({
        caller,
        trade,
        arbiter: await arbiterAddress(facts.arbiterInCharge),
      }),
    ]);
  }

  /** Records the hash of a party's evidence on chain; the URI goes in the event. */
  async submitEvidence(
    party: TransactionSigner,
    trade: Address,
    evidenceHash: ReadonlyUint8Array,
    uri: string,
  ): Promise<ActionResult> {
    const instruction = await getSubmitEvidenceInstructionAsync({
      party,
      trade,
      evidenceHash,
      uri,
    });
    return this.send(party, [instruction]);
  }

  /** The arbiter in charge rules: `buyerBps` of the amount after its fee goes to the buyer. */
  async rule(arbiter: TransactionSigner, trade: Address, buyerBps: number): Promise<ActionResult> {
    return this.onTrade(
      arbiter,
      trade,
      async (facts) => [
        await getRuleInstructionAsync({
          arbiterAuthority: arbiter,
          arbiter: await arbiterAddress(arbiter.address),
          buyer: facts.buyer,
          seller: facts.seller,
          buyerBps,
          ...tradeAccounts(trade, facts),
        }),
      ],
      true,
    );
  }

  /** Both parties settle a dispute themselves, without an arbiter fee. Paid by the buyer. */
  async settle(
    buyer: TransactionSigner,
    seller: TransactionSigner,
    trade: Address,
    buyerBps: number,
  ): Promise<ActionResult> {
    return this.onTrade(
      buyer,
      trade,
      async (facts) => [
        await getSettleInstructionAsync({
          buyer,
          seller,
          arbiter: await arbiterAddress(facts.arbiterInCharge),
          buyerBps,
          ...tradeAccounts(trade, facts),
        }),
      ],
      true,
    );
  }

  /**
   * After a missed ruling deadline: to the trade's fallback arbiter (fixed at take) the first
   * time, then to the trade's default ruling.
   */
  async escalate(cranker: TransactionSigner, trade: Address): Promise<ActionResult> {
    // Where the dispute goes depends on its state now: read the trade.
    const { trade: state, facts } = await this.readTrade(trade);
    const dispute = state.dispute.__option === "Some" ? state.dispute.value : null;
    const fallback =
      state.fallbackArbiter.__option === "Some" && !dispute?.escalated
        ? state.fallbackArbiter.value
        : null;
    const instruction = await getEscalateInstructionAsync({
      cranker,
      arbiter: await arbiterAddress(facts.arbiterInCharge),
      fallbackArbiter: fallback ? await arbiterAddress(fallback) : undefined,
      buyer: facts.buyer,
      seller: facts.seller,
      ...tradeAccounts(trade, facts),
    });
    try {
      return await this.send(cranker, [instruction]);
    } finally {
      // An escalation changes the arbiter in charge.
      this.memory.trades.delete(trade);
    }
  }

  // ----- endings the parties negotiate -----

  /**
   * Proposes how to end a paid or disputed trade: `buyerAmount` base units to the buyer (less the
   * protocol fee fixed at take), the rest back to the offer's available tokens, the bond back to
   * the buyer; `0n` is a collaborative cancel (see `previewProposal`). Replaces any earlier
   * proposal, the other party's included. The buyer or the seller; the program refuses
   * `NotNegotiable` (not paid or disputed), `NotAParty`, `ProposalExceedsAmount`.
   */
  async proposeEnding(
    party: TransactionSigner,
    trade: Address,
    buyerAmount: bigint,
  ): Promise<ActionResult> {
    return this.onTrade(party, trade, async () => [
      await getProposeEndingInstructionAsync({ party, trade, buyerAmount }),
    ]);
  }

  /** Withdraws the caller's own proposal (`NoProposal`, `NotProposer` otherwise). */
  async withdrawProposal(party: TransactionSigner, trade: Address): Promise<ActionResult> {
    return this.onTrade(party, trade, async () => [
      await getWithdrawProposalInstructionAsync({ party, trade }),
    ]);
  }

  /**
   * Accepts the other party's proposal, naming the buyer amount (base units) the caller was shown:
   * the trade pays out as it says (see `previewProposal`; the caller pays for token accounts that
   * must be created) and a disputed trade's arbiter case closes without a fee. If the proposal
   * changed or was withdrawn meanwhile, the program refuses (`ProposalChanged`, `NoProposal`) and
   * nothing moves; `OwnProposal` for the proposer.
   */
  async acceptProposal(
    party: TransactionSigner,
    trade: Address,
    buyerAmount: bigint,
  ): Promise<ActionResult> {
    return this.onTrade(
      party,
      trade,
      async (facts) => [
        await getAcceptProposalInstructionAsync({
          party,
          buyer: facts.buyer,
          arbiter: await arbiterAddress(facts.arbiterInCharge),
          buyerAmount,
          ...tradeAccounts(trade, facts),
        }),
      ],
      true,
    );
  }

  // ----- the trade room -----

  /**
   * Posts a sealed message body (see `sealMessage`, `TradeRoom`) in `trade`'s room. Fails with
   * `MessageTooLong` (more than `MAX_MESSAGE_LENGTH` bytes) or `EmptyMessage` before sending; the
   * program refuses authors and kinds out of place (`NotInTradeRoom`, `MessageNotAllowed`).
   */
  async postMessage(
    author: TransactionSigner,
    trade: Address,
    kind: MessageKind,
    body: ReadonlyUint8Array,
  ): Promise<ActionResult> {
    if (body.length === 0 || body.length > MAX_MESSAGE_LENGTH) {
      throw new EscrowError({
        name: body.length === 0 ? "EmptyMessage" : "MessageTooLong",
        message: `a message body is 1 to ${MAX_MESSAGE_LENGTH} bytes, not ${body.length}`,
        logs: [],
      });
    }
    const instruction = await getPostMessageInstructionAsync({ author, trade, kind, body });
    return this.send(author, [instruction]);
  }

  // ----- what waits for a buyer, and protocol fees -----

  /**
   * Claims what waited for the buyer on a `Settled` trade (a payout its token account or wallet
   * could not receive when the trade ended): the held tokens to `destination` (any token account
   * of the mint), the trade's lamports to `recipient` (default the signer). Without a
   * `destination` the signer's associated token account is used (created if missing) when it can
   * receive; when it cannot (frozen, or its owner was changed) this fails with
   * `DestinationNeeded` before sending. Works after the seller closed the offer. Only the trade's
   * buyer may claim (`NotBuyer`).
   */
  async claim(
    buyer: TransactionSigner,
    trade: Address,
    options: { destination?: Address; recipient?: Address } = {},
  ): Promise<ActionResult> {
    const state = await getTrade(this.rpc, trade);
    const mint = await getMintInfo(this.rpc, state.mint);
    const holding = await holdingAddress(trade, mint.address, mint.tokenProgram);
    const { value: holdingAccount } = await this.rpc
      .getAccountInfo(holding, { encoding: "base64" })
      .send();
    const to = holdingAccount
      ? await this.ownTokenAccount(buyer, mint, options.destination)
      : undefined;
    const instructions: Instruction[] = [...(to?.instructions ?? [])];
    const destination = to?.destination;
    instructions.push(
      await getClaimInstructionAsync({
        buyer,
        trade,
        destination,
        recipient: options.recipient ?? buyer.address,
        mint: mint.address,
        tokenProgram: mint.tokenProgram,
      }),
    );
    return this.send(buyer, instructions);
  }

  /** Withdraws `amount` of protocol fees from a mint's fee vault to `destination`. Admin only. */
  async withdrawFees(
    admin: TransactionSigner,
    mint: Address,
    destination: Address,
    amount: bigint,
  ): Promise<ActionResult> {
    const info = await getMintInfo(this.rpc, mint);
    const instruction = await getWithdrawFeesInstructionAsync({
      admin,
      destination,
      mint,
      tokenProgram: info.tokenProgram,
      amount,
    });
    return this.send(admin, [instruction]);
  }
}
