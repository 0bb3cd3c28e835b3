/**
 * `p2p-escrow`: the command line of the escrow for wallets, arbiters and payment services.
 * Human output by default, `--json` for scripts; errors name the program's error and exit 1;
 * a progress line (on stderr) follows every transaction until it is confirmed.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import {
  address,
  getBase58Decoder,
  getBase58Encoder,
  lamports,
  type Address,
  type KeyPairSigner,
} from "@solana/kit";

import {
  advanceLocalClock,
  arbiterInCharge,
  attestationMessage,
  createEscrowRpc,
  createMint,
  describeError,
  EscrowClient,
  EscrowError,
  fetchAccountEvents,
  fetchTransactionEvents,
  fiatCurrencyCode,
  getConfig,
  getMaybeArbiter,
  getMintInfo,
  getOffer,
  getTokenBalance,
  getTrade,
  hashBytes,
  hashText,
  LOCAL_CHAIN_URL,
  listOffers,
  listTrades,
  mintTo,
  OfferStatus,
  P2P_ESCROW_PROGRAM_ADDRESS,
  signAttestation,
  TOKEN_2022_PROGRAM_ADDRESS,
  TradeState,
  type ActionResult,
  type EscrowEvent,
  type EscrowRpc,
  type MintInfo,
  type Offer,
  type Trade,
  type TransactionProgress,
  formatAmount,
  formatFiat,
  formatBps,
  formatDuration,
  formatTime,
  parseAmount,
  parseDuration,
} from "../sdk";
import { readKeypairFile, writeNewKeypairFile } from "./keypair";

/** JSON with bigints as strings and byte arrays as hex, for `--json`. */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
      return v;
    },
    2,
  );
}

const OPTIONS = {
  url: { type: "string", short: "u" },
  keypair: { type: "string", short: "k" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  // offers
  mint: { type: "string" },
  amount: { type: "string" },
  price: { type: "string" },
  currency: { type: "string" },
  min: { type: "string" },
  max: { type: "string" },
  arbiter: { type: "string" },
  attestor: { type: "string" },
  bond: { type: "string" },
  "payment-window": { type: "string" },
  "release-window": { type: "string" },
  "payment-terms": { type: "string" },
  "allowed-buyer": { type: "string" },
  // trades and disputes
  reference: { type: "string" },
  file: { type: "string" },
  uri: { type: "string" },
  "buyer-bps": { type: "string" },
  counterparty: { type: "string" },
  signature: { type: "string" },
  relay: { type: "boolean" },
  // listings
  seller: { type: "string" },
  buyer: { type: "string" },
  offer: { type: "string" },
  status: { type: "string" },
  state: { type: "string" },
  owner: { type: "string" },
  to: { type: "string" },
  destination: { type: "string" },
  recipient: { type: "string" },
  // watch
  count: { type: "string" },
  interval: { type: "string" },
  // tokens
  decimals: { type: "string" },
  "token-2022": { type: "boolean" },
  "transfer-fee-bps": { type: "string" },
  "transfer-fee-max": { type: "string" },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>["values"];

/** A command's answer: what `--json` prints, and the lines a person reads. */
type Output = { json: unknown; lines: string[] };

type Context = {
  rpc: EscrowRpc;
  url: string;
  client: EscrowClient;
  values: Values;
  args: string[];
  /** The `--keypair` signer (default: the Solana CLI's id.json). */
  signer: () => Promise<KeyPairSigner>;
};

type Command = { usage: string; summary: string; run: (ctx: Context) => Promise<Output> };

/** A usage mistake: printed with the command's usage, exit status 2. */
class UsageError extends Error {}

function arg(ctx: Context, index: number, name: string): string {
  const value = ctx.args[index];
  if (value === undefined) throw new UsageError(`missing <${name}>`);
  return value;
}

function option(ctx: Context, name: keyof Values): string {
  const value = ctx.values[name];
  if (typeof value !== "string") throw new UsageError(`missing --${name}`);
  return value;
}

function toAddress(text: string, what: string): Address {
  try {
    return address(text);
  } catch {
    throw new UsageError(`${what} "${text}" is not a valid address`);
  }
}

function bps(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 10_000) {
    throw new UsageError(`${what} must be basis points, a whole number from 0 to 10000`);
  }
  return value;
}

function sol(text: string): bigint {
  return parseAmount(text, 9);
}

/** The `--destination` token account, if given. */
function destinationOption(ctx: Context): Address | undefined {
  return ctx.values.destination ? toAddress(ctx.values.destination, "--destination") : undefined;
}

function sent(result: ActionResult, lines: string[], json: Record<string, unknown> = {}): Output {
  const held = result.events.flatMap((event) =>
    event.name === "payoutHeld"
      ? [
          `the buyer's account could not receive: ${event.data.tokens} base units and ${event.data.lamports} lamports wait on trade ${event.data.trade} for \`p2p-escrow claim\``,
        ]
      : [],
  );
  return {
    json: { signature: result.signature, slot: result.slot, ...json, events: result.events },
    lines: [...lines, ...held, `signature ${result.signature} (slot ${result.slot})`],
  };
}

function describeEvent(event: EscrowEvent): string {
  const fields = Object.entries(event.data)
    .filter(([key]) => key !== "discriminator")
    .map(([key, value]) => {
      if (key === "fiatCurrency" && value instanceof Uint8Array)
        return `${key}=${fiatCurrencyCode(value)}`;
      if (value instanceof Uint8Array)
        return `${key}=${Buffer.from(value).toString("hex").slice(0, 16)}…`;
      if (value && typeof value === "object" && "__option" in value) {
        return `${key}=${value.__option === "Some" ? String((value as { value: unknown }).value) : "none"}`;
      }
      return `${key}=${String(value)}`;
    });
  return `${event.name} ${fields.join(" ")}`;
}

function offerLines(addr: Address, offer: Offer, mint: MintInfo): string[] {
  const t = offer.terms;
  const amount = (value: bigint) => formatAmount(value, mint.decimals);
  return [
    `offer ${addr}  #${offer.offerId}  ${OfferStatus[offer.status].toLowerCase()}`,
    `  seller ${offer.seller}`,
    `  mint ${offer.mint}  available ${amount(offer.available)}  locked ${amount(offer.locked)}`,
    `  price ${formatFiat(t.price)} ${fiatCurrencyCode(t.fiatCurrency)} per token  limits ${amount(t.minTradeAmount)}–${amount(t.maxTradeAmount)}`,
    `  windows: pay ${formatDuration(t.paymentWindow)}, release ${formatDuration(t.releaseWindow)}  bond ${formatAmount(t.buyerBond, 9)} SOL`,
    `  arbiter ${t.arbiter}  attestor ${t.attestor.__option === "Some" ? t.attestor.value : "none"}`,
  ];
}

function tradeLines(addr: Address, trade: Trade, mint: MintInfo): string[] {
  const lines = [
    `trade ${addr}  ${TradeState[trade.state].toLowerCase()}`,
    `  offer ${trade.offer}  seller ${trade.seller}  buyer ${trade.buyer}`,
    `  amount ${formatAmount(trade.amount, mint.decimals)}  fiat ${formatFiat(trade.fiatAmount)}  bond ${formatAmount(trade.buyerBond, 9)} SOL`,
    `  payment deadline ${formatTime(trade.paymentDeadline)}`,
  ];
  if (trade.state !== TradeState.Locked) {
    lines.push(
      `  paid ${formatTime(trade.paidAt)}  release deadline ${formatTime(trade.releaseDeadline)}`,
    );
  }
  if (trade.dispute.__option === "Some") {
    const d = trade.dispute.value;
    lines.push(
      `  dispute opened by ${d.openedBy} at ${formatTime(d.openedAt)}${d.escalated ? " (escalated)" : ""}`,
      `  arbiter in charge ${d.arbiter}  ruling deadline ${formatTime(d.rulingDeadline)}`,
    );
  }
  return lines;
}

async function offerMint(ctx: Context, offer: Address): Promise<{ offer: Offer; mint: MintInfo }> {
  const state = await getOffer(ctx.rpc, offer);
  return { offer: state, mint: await getMintInfo(ctx.rpc, state.mint) };
}

async function tradeMint(ctx: Context, trade: Address): Promise<{ trade: Trade; mint: MintInfo }> {
  const state = await getTrade(ctx.rpc, trade);
  return { trade: state, mint: await getMintInfo(ctx.rpc, state.mint) };
}

const COMMANDS: Record<string, Command> = {
  keygen: {
    usage: "keygen <outfile>",
    summary: "write a new Solana CLI keypair file",
    async run(ctx) {
      const signer = await writeNewKeypairFile(arg(ctx, 0, "outfile"));
      return { json: { address: signer.address }, lines: [signer.address] };
    },
  },
  address: {
    usage: "address",
    summary: "print the --keypair's address",
    async run(ctx) {
      const signer = await ctx.signer();
      return { json: { address: signer.address }, lines: [signer.address] };
    },
  },
  balance: {
    usage: "balance [--owner ADDRESS] [--mint MINT]",
    summary: "SOL balance, and token balance of a mint",
    async run(ctx) {
      const owner = ctx.values.owner
        ? toAddress(ctx.values.owner, "--owner")
        : (await ctx.signer()).address;
      const { value } = await ctx.rpc.getBalance(owner).send();
      const lines = [`${owner}: ${formatAmount(value, 9)} SOL`];
      const json: Record<string, unknown> = { owner, lamports: value };
      if (ctx.values.mint) {
        const mint = await getMintInfo(ctx.rpc, toAddress(ctx.values.mint, "--mint"));
        const tokens = await getTokenBalance(ctx.rpc, owner, mint);
        lines.push(`${owner}: ${formatAmount(tokens, mint.decimals)} of ${mint.address}`);
        json.tokens = tokens;
      }
      return { json, lines };
    },
  },
  airdrop: {
    usage: "airdrop <sol> [--to ADDRESS]",
    summary: "request SOL from the cluster's faucet (local chain, devnet)",
    async run(ctx) {
      const to = ctx.values.to ? toAddress(ctx.values.to, "--to") : (await ctx.signer()).address;
      const amount = sol(arg(ctx, 0, "sol"));
      const signature = await ctx.rpc.requestAirdrop(to, lamports(amount)).send();
      return {
        json: { to, lamports: amount, signature },
        lines: [`airdropped ${formatAmount(amount, 9)} SOL to ${to}`],
      };
    },
  },
  "advance-clock": {
    usage: "advance-clock <duration>",
    summary: "move the local chain's clock forward (e.g. 31m, 2d)",
    async run(ctx) {
      const seconds = parseDuration(arg(ctx, 0, "duration"));
      const clock = await advanceLocalClock(ctx.url, Number(seconds));
      return {
        json: clock,
        lines: [
          `clock moved ${formatDuration(seconds)}: now ${formatTime(clock.unixTimestamp)} (slot ${clock.slot})`,
        ],
      };
    },
  },
  "create-mint": {
    usage:
      "create-mint [--decimals 6] [--token-2022] [--transfer-fee-bps N --transfer-fee-max AMOUNT]",
    summary: "create a token mint with the --keypair as mint authority (tests, demos)",
    async run(ctx) {
      const signer = await ctx.signer();
      const decimals = Number(ctx.values.decimals ?? "6");
      if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
        throw new UsageError("--decimals must be a whole number from 0 to 18");
      }
      const feeBps = ctx.values["transfer-fee-bps"];
      const transferFee =
        feeBps === undefined
          ? undefined
          : {
              bps: bps(feeBps, "--transfer-fee-bps"),
              maximum: parseAmount(option(ctx, "transfer-fee-max"), decimals),
            };
      const mint = await createMint(
        ctx.rpc,
        {
          payer: signer,
          mintAuthority: signer.address,
          decimals,
          tokenProgram:
            ctx.values["token-2022"] || transferFee ? TOKEN_2022_PROGRAM_ADDRESS : undefined,
          transferFee,
        },
        ctx.client.sendOptions,
      );
      return {
        json: mint,
        lines: [`mint ${mint.address} (${decimals} decimals, program ${mint.tokenProgram})`],
      };
    },
  },
  "mint-to": {
    usage: "mint-to <mint> <owner> <amount>",
    summary: "mint tokens to an owner's associated token account (--keypair is the mint authority)",
    async run(ctx) {
      const signer = await ctx.signer();
      const mint = await getMintInfo(ctx.rpc, toAddress(arg(ctx, 0, "mint"), "<mint>"));
      const owner = toAddress(arg(ctx, 1, "owner"), "<owner>");
      const amount = parseAmount(arg(ctx, 2, "amount"), mint.decimals);
      const account = await mintTo(
        ctx.rpc,
        { payer: signer, mintAuthority: signer, mint, owner, amount },
        ctx.client.sendOptions,
      );
      return {
        json: { account, amount },
        lines: [`minted ${formatAmount(amount, mint.decimals)} to ${owner} (${account})`],
      };
    },
  },
  config: {
    usage: "config",
    summary: "the protocol settings",
    async run(ctx) {
      const config = await getConfig(ctx.rpc);
      return {
        json: config,
        lines: [
          `admin ${config.admin}`,
          `protocol fee ${formatBps(config.feeBps)} (collected in each mint's fee vault)`,
          `fallback arbiter ${config.fallbackArbiter}  ruling window ${formatDuration(config.rulingWindow)}  default ruling ${formatBps(config.defaultBuyerBps)} to the buyer`,
          `new offers ${config.newOffersPaused ? "paused" : "open"}, new trades ${config.newTradesPaused ? "paused" : "open"}`,
        ],
      };
    },
  },
  arbiter: {
    usage: "arbiter <authority>",
    summary: "an arbiter's fee and record",
    async run(ctx) {
      const authority = toAddress(arg(ctx, 0, "authority"), "<authority>");
      const arbiter = await getMaybeArbiter(ctx.rpc, authority);
      if (!arbiter)
        throw new EscrowError({
          name: "ArbiterNotFound",
          message: `${authority} is not a registered arbiter`,
          logs: [],
        });
      return {
        json: arbiter,
        lines: [
          `arbiter ${authority}  ${arbiter.active ? "active" : "inactive"}  fee ${formatBps(arbiter.feeBps)}`,
          `  open cases ${arbiter.openCases}  rulings ${arbiter.rulings}  missed deadlines ${arbiter.missedDeadlines}`,
        ],
      };
    },
  },
  "create-offer": {
    usage:
      "create-offer --mint MINT --amount AMOUNT --price FIAT_PER_TOKEN --currency USD --min AMOUNT --max AMOUNT --arbiter ADDRESS [--attestor ADDRESS] [--bond SOL] [--payment-window 30m] [--release-window 1h] [--payment-terms TEXT] [--allowed-buyer ADDRESS]",
    summary: "sell tokens: lock them in a new offer's vault",
    async run(ctx) {
      const seller = await ctx.signer();
      const mint = await getMintInfo(ctx.rpc, toAddress(option(ctx, "mint"), "--mint"));
      const amount = parseAmount(option(ctx, "amount"), mint.decimals);
      const result = await ctx.client.createOffer(seller, {
        mint: mint.address,
        amount,
        terms: {
          minTradeAmount: parseAmount(option(ctx, "min"), mint.decimals),
          maxTradeAmount: parseAmount(option(ctx, "max"), mint.decimals),
          price: parseAmount(option(ctx, "price"), 2),
          fiatCurrency: option(ctx, "currency"),
          paymentTermsHash: await hashText(ctx.values["payment-terms"] ?? ""),
          paymentWindow: parseDuration(ctx.values["payment-window"] ?? "30m"),
          releaseWindow: parseDuration(ctx.values["release-window"] ?? "1h"),
          arbiter: toAddress(option(ctx, "arbiter"), "--arbiter"),
          attestor: ctx.values.attestor ? toAddress(ctx.values.attestor, "--attestor") : undefined,
          buyerBond: sol(ctx.values.bond ?? "0.01"),
          allowedBuyer: ctx.values["allowed-buyer"]
            ? toAddress(ctx.values["allowed-buyer"], "--allowed-buyer")
            : undefined,
        },
      });
      return sent(
        result,
        [`offer ${result.address} created with ${formatAmount(amount, mint.decimals)} tokens`],
        {
          offer: result.address,
        },
      );
    },
  },
  deposit: {
    usage: "deposit <offer> <amount>",
    summary: "add tokens to an offer",
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const { mint } = await offerMint(ctx, offer);
      const amount = parseAmount(arg(ctx, 1, "amount"), mint.decimals);
      return sent(await ctx.client.deposit(await ctx.signer(), offer, amount), [
        `deposited ${formatAmount(amount, mint.decimals)}`,
      ]);
    },
  },
  withdraw: {
    usage: "withdraw <offer> <amount> [--destination TOKEN_ACCOUNT]",
    summary: "take back tokens not locked in trades (default: to your token account)",
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const { mint } = await offerMint(ctx, offer);
      const amount = parseAmount(arg(ctx, 1, "amount"), mint.decimals);
      const options = { destination: destinationOption(ctx) };
      return sent(await ctx.client.withdraw(await ctx.signer(), offer, amount, options), [
        `withdrew ${formatAmount(amount, mint.decimals)}`,
      ]);
    },
  },
  "pause-offer": {
    usage: "pause-offer <offer>",
    summary: "stop new trades on an offer",
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      return sent(await ctx.client.setOfferPaused(await ctx.signer(), offer, true), [
        `offer ${offer} paused`,
      ]);
    },
  },
  "resume-offer": {
    usage: "resume-offer <offer>",
    summary: "accept new trades again",
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      return sent(await ctx.client.setOfferPaused(await ctx.signer(), offer, false), [
        `offer ${offer} open`,
      ]);
    },
  },
  "close-offer": {
    usage: "close-offer <offer> [--destination TOKEN_ACCOUNT]",
    summary: "close an offer with nothing locked; tokens and rent return",
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const options = { destination: destinationOption(ctx) };
      return sent(await ctx.client.closeOffer(await ctx.signer(), offer, options), [
        `offer ${offer} closed`,
      ]);
    },
  },
  take: {
    usage: "take <offer> <amount>",
    summary: "buy: reserve tokens of an offer at its current terms",
    async run(ctx) {
      const offer = toAddress(arg(ctx, 0, "offer"), "<offer>");
      const { offer: state, mint } = await offerMint(ctx, offer);
      const amount = parseAmount(arg(ctx, 1, "amount"), mint.decimals);
      const result = await ctx.client.takeOffer(await ctx.signer(), offer, amount);
      const taken = result.events.find((e) => e.name === "tradeTaken");
      const lines = [
        `trade ${result.address} reserves ${formatAmount(amount, mint.decimals)} tokens`,
      ];
      if (taken?.name === "tradeTaken") {
        lines.push(
          `pay ${formatFiat(taken.data.fiatAmount)} ${fiatCurrencyCode(state.terms.fiatCurrency)} by ${formatTime(taken.data.paymentDeadline)}`,
        );
      }
      return sent(result, lines, { trade: result.address });
    },
  },
  "mark-paid": {
    usage: "mark-paid <trade> --reference TEXT",
    summary: "tell the seller the fiat is paid (the reference's hash goes on chain)",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const hash = await hashText(option(ctx, "reference"));
      return sent(await ctx.client.markPaid(await ctx.signer(), trade, hash), [
        `trade ${trade} marked paid`,
      ]);
    },
  },
  cancel: {
    usage: "cancel <trade>",
    summary: "cancel an unpaid trade (buyer); bond and rent return",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.cancelTrade(await ctx.signer(), trade), [
        `trade ${trade} cancelled`,
      ]);
    },
  },
  release: {
    usage: "release <trade>",
    summary: "release the tokens to the buyer (seller)",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.release(await ctx.signer(), trade), [`trade ${trade} released`]);
    },
  },
  expire: {
    usage: "expire <trade>",
    summary: "end an unpaid trade after its payment deadline (anyone)",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.expireTrade(await ctx.signer(), trade), [
        `trade ${trade} expired`,
      ]);
    },
  },
  attest: {
    usage: "attest <trade> --reference TEXT [--relay]",
    summary: "payment service: sign that the trade's payment arrived; --relay also releases",
    async run(ctx) {
      const attestor = await ctx.signer();
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const state = await getTrade(ctx.rpc, trade);
      const paymentRefHash = await hashText(option(ctx, "reference"));
      if (Buffer.compare(Buffer.from(paymentRefHash), Buffer.from(state.paymentRefHash)) !== 0) {
        throw new EscrowError({
          name: "PaymentReferenceMismatch",
          message: "the reference does not match the one the buyer marked paid with",
          logs: [],
        });
      }
      const attested = {
        trade,
        buyer: state.buyer,
        mint: state.mint,
        amount: state.amount,
        paymentRefHash,
      };
      const signature = await signAttestation(attestor.keyPair.privateKey, attested);
      const encoded = getBase58Decoder().decode(signature);
      const json = {
        trade,
        attestor: attestor.address,
        signature: encoded,
        message: Buffer.from(attestationMessage(attested)).toString("hex"),
      };
      const lines = [`attestation by ${attestor.address}: ${encoded}`];
      if (!ctx.values.relay) return { json, lines };
      const result = await ctx.client.releaseWithAttestation(attestor, trade, {
        attestor: attestor.address,
        signature,
      });
      return sent(result, [...lines, `trade ${trade} released on the attestation`], json);
    },
  },
  "release-attested": {
    usage: "release-attested <trade> --attestor ADDRESS --signature BASE58",
    summary: "relay a payment service's attestation (anyone pays the fee)",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const signature = getBase58Encoder().encode(option(ctx, "signature"));
      const result = await ctx.client.releaseWithAttestation(await ctx.signer(), trade, {
        attestor: toAddress(option(ctx, "attestor"), "--attestor"),
        signature,
      });
      return sent(result, [`trade ${trade} released on the attestation`]);
    },
  },
  dispute: {
    usage: "dispute <trade>",
    summary: "open a dispute on a paid trade",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.openDispute(await ctx.signer(), trade), [
        `dispute opened on ${trade}`,
      ]);
    },
  },
  evidence: {
    usage: "evidence <trade> --file PATH --uri URI",
    summary: "submit evidence: the file's SHA-256 on chain, the URI in the event",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const path = option(ctx, "file");
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(path);
      } catch {
        throw new UsageError(`cannot read the evidence file ${path}`);
      }
      const hash = await hashBytes(bytes);
      const result = await ctx.client.submitEvidence(
        await ctx.signer(),
        trade,
        hash,
        option(ctx, "uri"),
      );
      return sent(result, [`evidence ${Buffer.from(hash).toString("hex")} submitted`], {
        evidenceHash: hash,
      });
    },
  },
  rule: {
    usage: "rule <trade> --buyer-bps N",
    summary: "arbiter: split the disputed amount, N basis points to the buyer",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const buyerBps = bps(option(ctx, "buyer-bps"), "--buyer-bps");
      return sent(await ctx.client.rule(await ctx.signer(), trade, buyerBps), [
        `ruled ${formatBps(buyerBps)} to the buyer`,
      ]);
    },
  },
  settle: {
    usage: "settle <trade> --buyer-bps N --counterparty KEYPAIR",
    summary: "buyer and seller split a dispute themselves (both sign)",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const buyerBps = bps(option(ctx, "buyer-bps"), "--buyer-bps");
      const me = await ctx.signer();
      const other = await readKeypairFile(option(ctx, "counterparty"));
      const state = await getTrade(ctx.rpc, trade);
      const [buyer, seller] = state.buyer === me.address ? [me, other] : [other, me];
      return sent(await ctx.client.settle(buyer, seller, trade, buyerBps), [
        `settled ${formatBps(buyerBps)} to the buyer`,
      ]);
    },
  },
  escalate: {
    usage: "escalate <trade>",
    summary: "after a missed ruling deadline: fallback arbiter, then the default ruling",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.escalate(await ctx.signer(), trade), [
        `dispute on ${trade} escalated`,
      ]);
    },
  },
  claim: {
    usage: "claim <trade> [--destination TOKEN_ACCOUNT] [--recipient ADDRESS]",
    summary: "take what waited for you on a settled trade (default: your token account and wallet)",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const result = await ctx.client.claim(await ctx.signer(), trade, {
        destination: destinationOption(ctx),
        recipient: ctx.values.recipient
          ? toAddress(ctx.values.recipient, "--recipient")
          : undefined,
      });
      return sent(result, [`claimed what waited on ${trade}`]);
    },
  },
  "withdraw-fees": {
    usage: "withdraw-fees --mint MINT --amount AMOUNT --destination TOKEN_ACCOUNT",
    summary: "move protocol fees out of a mint's fee vault (admin)",
    async run(ctx) {
      const mint = await getMintInfo(ctx.rpc, toAddress(option(ctx, "mint"), "--mint"));
      const amount = parseAmount(option(ctx, "amount"), mint.decimals);
      const destination = toAddress(option(ctx, "destination"), "--destination");
      const result = await ctx.client.withdrawFees(
        await ctx.signer(),
        mint.address,
        destination,
        amount,
      );
      return sent(result, [
        `withdrew ${formatAmount(amount, mint.decimals)} of fees to ${destination}`,
      ]);
    },
  },
  offers: {
    usage: "offers [--seller ADDRESS] [--mint MINT] [--arbiter ADDRESS] [--status open|paused]",
    summary: "list offers",
    async run(ctx) {
      const status = ctx.values.status;
      if (status !== undefined && status !== "open" && status !== "paused") {
        throw new UsageError("--status is open or paused");
      }
      const offers = await listOffers(ctx.rpc, {
        seller: ctx.values.seller ? toAddress(ctx.values.seller, "--seller") : undefined,
        mint: ctx.values.mint ? toAddress(ctx.values.mint, "--mint") : undefined,
        arbiter: ctx.values.arbiter ? toAddress(ctx.values.arbiter, "--arbiter") : undefined,
        status:
          status === undefined
            ? undefined
            : status === "open"
              ? OfferStatus.Open
              : OfferStatus.Paused,
      });
      const lines: string[] = [];
      for (const offer of offers) {
        lines.push(
          ...offerLines(offer.address, offer.data, await getMintInfo(ctx.rpc, offer.data.mint)),
        );
      }
      return { json: offers, lines: lines.length ? lines : ["no offers"] };
    },
  },
  trades: {
    usage:
      "trades [--offer A] [--seller A] [--buyer A] [--mint M] [--arbiter A] [--state locked|paid|disputed|settled]",
    summary: "list trades not yet closed (--arbiter: the arbiter in charge)",
    async run(ctx) {
      const states = {
        locked: TradeState.Locked,
        paid: TradeState.Paid,
        disputed: TradeState.Disputed,
        settled: TradeState.Settled,
      };
      const state = ctx.values.state;
      if (state !== undefined && !(state in states))
        throw new UsageError("--state is locked, paid, disputed or settled");
      const pick = (name: "offer" | "seller" | "buyer" | "mint" | "arbiter") =>
        ctx.values[name] ? toAddress(ctx.values[name] as string, `--${name}`) : undefined;
      const trades = await listTrades(ctx.rpc, {
        offer: pick("offer"),
        seller: pick("seller"),
        buyer: pick("buyer"),
        mint: pick("mint"),
        arbiter: pick("arbiter"),
        state: state === undefined ? undefined : states[state as keyof typeof states],
      });
      const lines: string[] = [];
      for (const trade of trades) {
        lines.push(
          ...tradeLines(trade.address, trade.data, await getMintInfo(ctx.rpc, trade.data.mint)),
        );
      }
      return { json: trades, lines: lines.length ? lines : ["no trades"] };
    },
  },
  trade: {
    usage: "trade <address>",
    summary: "a trade's state (while open) and its timeline of events",
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "address"), "<address>");
      const events = await fetchAccountEvents(ctx.rpc, trade);
      let state: Trade | null = null;
      const lines: string[] = [];
      try {
        const found = await tradeMint(ctx, trade);
        state = found.trade;
        lines.push(...tradeLines(trade, found.trade, found.mint));
        lines.push(`  arbiter in charge: ${arbiterInCharge(found.trade)}`);
      } catch (error) {
        if (!(error instanceof EscrowError && error.errorName === "TradeNotFound")) throw error;
        if (events.length === 0) throw error;
        lines.push(`trade ${trade}  closed`);
      }
      lines.push("timeline:");
      for (const entry of events) {
        const when = entry.blockTime === null ? `slot ${entry.slot}` : formatTime(entry.blockTime);
        lines.push(`  ${when}  ${describeEvent(entry.event)}`);
      }
      return { json: { address: trade, state, timeline: events }, lines };
    },
  },
  watch: {
    usage: "watch [--count N] [--interval MS]",
    summary: "print the program's events as they happen (--count: stop after N)",
    async run(ctx) {
      const limit = ctx.values.count === undefined ? Infinity : Number(ctx.values.count);
      const interval = Number(ctx.values.interval ?? "500");
      const seen = new Set<string>();
      const initial = await ctx.rpc
        .getSignaturesForAddress(P2P_ESCROW_PROGRAM_ADDRESS, { limit: 1000 })
        .send();
      for (const entry of initial) seen.add(entry.signature);
      const printed: unknown[] = [];
      while (printed.length < limit) {
        const recent = await ctx.rpc
          .getSignaturesForAddress(P2P_ESCROW_PROGRAM_ADDRESS, { limit: 1000 })
          .send();
        const fresh = recent.filter((entry) => !seen.has(entry.signature)).reverse();
        for (const entry of fresh) {
          seen.add(entry.signature);
          if (entry.err) continue;
          const landed = await fetchTransactionEvents(ctx.rpc, entry.signature);
          for (const event of landed?.events ?? []) {
            if (printed.length >= limit) break;
            const record = {
              signature: entry.signature,
              slot: entry.slot,
              blockTime: entry.blockTime,
              event,
            };
            printed.push(record);
            process.stdout.write(
              ctx.values.json
                ? `${toJson(record).replace(/\n\s*/g, " ")}\n`
                : `slot ${entry.slot}  ${describeEvent(event)}\n`,
            );
          }
        }
        if (printed.length < limit) await new Promise((resolve) => setTimeout(resolve, interval));
      }
      return { json: null, lines: [] };
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    "usage: p2p-escrow <command> [arguments] [--url URL] [--keypair FILE] [--json]",
    "",
    `  --url      JSON-RPC endpoint (default ${LOCAL_CHAIN_URL}, the local chain)`,
    "  --keypair  Solana CLI keypair file that signs (default ~/.config/solana/id.json)",
    "  --json     machine-readable output",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "amounts are in tokens (e.g. 12.5), prices in fiat per token (e.g. 1.05), durations like 30m, 2h, 7d",
  ].join("\n");
}

function progressReporter(): (progress: TransactionProgress) => void {
  const tty = process.stderr.isTTY;
  let last = "";
  return (progress) => {
    let line: string;
    switch (progress.stage) {
      case "signing":
        line = "signing…";
        break;
      case "sending":
        line = `sending ${progress.signature}…`;
        break;
      case "confirming":
        line = `confirming ${progress.signature} (block ${progress.blockHeight}, valid until ${progress.lastValidBlockHeight})…`;
        break;
      case "confirmed":
        line = `confirmed ${progress.signature} in slot ${progress.slot}`;
        break;
    }
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}${progress.stage === "confirmed" ? "\n" : ""}`);
    } else if (progress.stage !== last) {
      process.stderr.write(`${line}\n`);
    }
    last = progress.stage;
  };
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;
  if (!name || values.help) {
    process.stdout.write(`${usage()}\n`);
    return name || values.help ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const url = values.url ?? LOCAL_CHAIN_URL;
  const rpc = createEscrowRpc(url);
  const keypairPath = values.keypair ?? join(homedir(), ".config", "solana", "id.json");
  let signer: Promise<KeyPairSigner> | undefined;
  const ctx: Context = {
    rpc,
    url,
    client: new EscrowClient(rpc, { onProgress: progressReporter() }),
    values,
    args,
    signer: () => (signer ??= readKeypairFile(keypairPath)),
  };
  try {
    const output = await command.run(ctx);
    if (values.json) {
      if (output.json !== null) process.stdout.write(`${toJson(output.json)}\n`);
    } else if (output.lines.length) {
      process.stdout.write(`${output.lines.join("\n")}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\nusage: p2p-escrow ${command.usage}\n`);
      return 2;
    }
    const described = describeError(error);
    const code = described.code === undefined ? "" : ` (error ${described.code})`;
    process.stderr.write(`error: ${described.name}: ${described.message}${code}\n`);
    if (values.json) {
      process.stdout.write(
        `${toJson({ error: { name: described.name, message: described.message, code: described.code } })}\n`,
      );
    }
    return 1;
  }
}
