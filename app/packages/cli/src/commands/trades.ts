/** Trade commands: taking an offer, paying, releasing (also on a payment attestation), cancelling, expiring, claiming. */

import { getBase58Decoder, getBase58Encoder } from "@solana/kit";

import {
  attestationDigest,
  attestationMessage,
  attestationPayload,
  attestedTrade,
  EscrowError,
  fiatCurrencyCode,
  getTrade,
  hashText,
  signAttestation,
  formatAmount,
  formatFiat,
  formatTime,
  parseAmount,
  paymentReference,
  TradeRoom,
} from "@p2p-escrow/sdk";
import {
  Command,
  arg,
  option,
  toAddress,
  destinationOption,
  sent,
  offerMint,
  UsageError,
} from "../common";

/** A base58 Ed25519 signature, as `attest` prints it. */
function attestationSignature(text: string) {
  let bytes;
  try {
    bytes = getBase58Encoder().encode(text);
  } catch {
    throw new UsageError(`--signature "${text}" is not base58`);
  }
  if (bytes.length !== 64) {
    throw new UsageError(
      `--signature must be a 64-byte Ed25519 signature, not ${bytes.length} bytes`,
    );
  }
  return bytes;
}

/** The trades commands, by name. */
export const TRADES_COMMANDS: Record<string, Command> = {
  take: {
    usage: "take <offer> <amount>",
    summary: "buy: reserve tokens of an offer at its current terms",
    options: [],
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
          `pay ${formatFiat(taken.data.fiatAmount)} ${fiatCurrencyCode(state.terms.fiatCurrency)} by ${formatTime(taken.data.paymentDeadline)}, payment reference ${paymentReference(result.address!)}`,
        );
      }
      return sent(result, lines, { trade: result.address });
    },
  },
  "mark-paid": {
    usage: "mark-paid <trade> [--reference TEXT] [--payer TEXT]",
    summary:
      "tell the seller the fiat is paid (the reference's hash goes on chain; default the trade's payment reference); --payer declares in the room, in the same transaction, the account you paid from",
    options: ["reference", "payer"],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const hash = await hashText(ctx.values.reference ?? paymentReference(trade));
      const buyer = await ctx.signer();
      const payer = ctx.values.payer?.trim();
      if (payer === "") throw new UsageError("--payer names the account you paid from");
      const result = payer
        ? await (await TradeRoom.open(ctx.client, buyer, trade)).markPaid(payer, hash)
        : await ctx.client.markPaid(buyer, trade, hash);
      return sent(result, [`trade ${trade} marked paid${payer ? `, paid from ${payer}` : ""}`]);
    },
  },
  cancel: {
    usage: "cancel <trade>",
    summary: "cancel an unpaid trade (buyer); bond and rent return",
    options: [],
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
    options: [],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      return sent(await ctx.client.release(await ctx.signer(), trade), [`trade ${trade} released`]);
    },
  },
  expire: {
    usage: "expire <trade>",
    summary:
      "end an unpaid trade after its payment deadline, or its response deadline without the seller's details (anyone)",
    options: [],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const result = await ctx.client.expireTrade(await ctx.signer(), trade);
      const expired = result.events.find((e) => e.name === "tradeExpired");
      const unanswered = expired?.name === "tradeExpired" && expired.data.unanswered;
      return sent(
        result,
        [
          unanswered
            ? `trade ${trade} expired unanswered: the seller sent no payment details, the bond went back to the buyer`
            : `trade ${trade} expired`,
        ],
        { unanswered },
      );
    },
  },
  attest: {
    usage: "attest <trade> --reference TEXT [--relay]",
    summary: "payment service: sign that the trade's payment arrived; --relay also releases",
    options: ["reference", "relay"],
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
      // The reference is the one marked paid: the trade's own hash, checked above.
      const attested = attestedTrade(trade, state);
      const signature = await signAttestation(attestor.keyPair.privateKey, attested);
      const encoded = getBase58Decoder().decode(signature);
      const json = {
        trade,
        attestor: attestor.address,
        signature: encoded,
        message: Buffer.from(attestationMessage(attested)).toString("hex"),
        digest: Buffer.from(await attestationDigest(attested)).toString("hex"),
        signed: Buffer.from(await attestationPayload(attested)).toString("hex"),
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
    options: ["attestor", "signature"],
    async run(ctx) {
      const trade = toAddress(arg(ctx, 0, "trade"), "<trade>");
      const signature = attestationSignature(option(ctx, "signature"));
      const result = await ctx.client.releaseWithAttestation(await ctx.signer(), trade, {
        attestor: toAddress(option(ctx, "attestor"), "--attestor"),
        signature,
      });
      return sent(result, [`trade ${trade} released on the attestation`]);
    },
  },
  claim: {
    usage: "claim <trade> [--destination TOKEN_ACCOUNT] [--recipient ADDRESS]",
    summary: "take what waited for you on a settled trade (default: your token account and wallet)",
    options: ["destination", "recipient"],
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
};
