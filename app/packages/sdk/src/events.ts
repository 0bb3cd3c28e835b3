/**
 * The program's events. Every state change emits one through anchor's `emit_cpi!`: a self-CPI whose
 * data is the event-CPI tag, the event's discriminator and its Borsh body. They are read from a
 * transaction's inner instructions, so they survive log truncation.
 */
import { getBase58Encoder, type Address, type Decoder, type ReadonlyUint8Array } from "@solana/kit";

import {
  getAdminTransferProposedDecoder,
  getAdminTransferredDecoder,
  getArbiterRegisteredDecoder,
  getArbiterUpdatedDecoder,
  getConfigInitializedDecoder,
  getConfigUpdatedDecoder,
  getDisputeEscalatedDecoder,
  getDisputeOpenedDecoder,
  getDisputeResolvedDecoder,
  getEndingProposedDecoder,
  getEvidenceSubmittedDecoder,
  getArbiterRoomKeySetDecoder,
  getFeesWithdrawnDecoder,
  getMessagePostedDecoder,
  getOfferClosedDecoder,
  getOfferCreatedDecoder,
  getOfferDepositedDecoder,
  getOfferStatusChangedDecoder,
  getOfferWithdrawnDecoder,
  getPauseChangedDecoder,
  getPaymentWindowStartedDecoder,
  getPayoutClaimedDecoder,
  getPayoutHeldDecoder,
  getProfileOpenedDecoder,
  getProposalAcceptedDecoder,
  getProposalWithdrawnDecoder,
  getTradeCancelledDecoder,
  getTradeExpiredDecoder,
  getTradePaidDecoder,
  getTradeReleasedDecoder,
  getTradeTakenDecoder,
} from "./generated";
import { P2P_ESCROW_PROGRAM_ADDRESS } from "./addresses";

/** The tag anchor puts before every event emitted by self-CPI (`EVENT_IX_TAG_LE`). */
export const EVENT_IX_TAG: ReadonlyUint8Array = new Uint8Array([
  0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d,
]);

/** One decoder per event; each checks the event's 8-byte discriminator. */
const EVENT_DECODERS = {
  adminTransferProposed: getAdminTransferProposedDecoder(),
  adminTransferred: getAdminTransferredDecoder(),
  arbiterRegistered: getArbiterRegisteredDecoder(),
  arbiterRoomKeySet: getArbiterRoomKeySetDecoder(),
  arbiterUpdated: getArbiterUpdatedDecoder(),
  configInitialized: getConfigInitializedDecoder(),
  configUpdated: getConfigUpdatedDecoder(),
  disputeEscalated: getDisputeEscalatedDecoder(),
  disputeOpened: getDisputeOpenedDecoder(),
  disputeResolved: getDisputeResolvedDecoder(),
  endingProposed: getEndingProposedDecoder(),
  evidenceSubmitted: getEvidenceSubmittedDecoder(),
  feesWithdrawn: getFeesWithdrawnDecoder(),
  offerClosed: getOfferClosedDecoder(),
  offerCreated: getOfferCreatedDecoder(),
  offerDeposited: getOfferDepositedDecoder(),
  offerStatusChanged: getOfferStatusChangedDecoder(),
  offerWithdrawn: getOfferWithdrawnDecoder(),
  messagePosted: getMessagePostedDecoder(),
  pauseChanged: getPauseChangedDecoder(),
  paymentWindowStarted: getPaymentWindowStartedDecoder(),
  payoutClaimed: getPayoutClaimedDecoder(),
  payoutHeld: getPayoutHeldDecoder(),
  profileOpened: getProfileOpenedDecoder(),
  proposalAccepted: getProposalAcceptedDecoder(),
  proposalWithdrawn: getProposalWithdrawnDecoder(),
  tradeCancelled: getTradeCancelledDecoder(),
  tradeExpired: getTradeExpiredDecoder(),
  tradePaid: getTradePaidDecoder(),
  tradeReleased: getTradeReleasedDecoder(),
  tradeTaken: getTradeTakenDecoder(),
} as const;

type EventDecoders = typeof EVENT_DECODERS;

/** The name of an event (`tradeTaken`, `disputeResolved`, ...). */
export type EscrowEventName = keyof EventDecoders;

/** A decoded event: its name and its fields. */
export type EscrowEvent = {
  [Name in EscrowEventName]: {
    name: Name;
    data: EventDecoders[Name] extends Decoder<infer Data> ? Data : never;
  };
}[EscrowEventName];

/** Every event name the client decodes. */
export const EVENT_NAMES = Object.keys(EVENT_DECODERS) as EscrowEventName[];

/** Decodes the event in `bytes` (discriminator and body, without the tag), or null. */
export function decodeEvent(bytes: ReadonlyUint8Array): EscrowEvent | null {
  for (const name of EVENT_NAMES) {
    try {
      const data = EVENT_DECODERS[name].decode(bytes);
      return { name, data } as EscrowEvent;
    } catch {
      // Another event's discriminator: try the next decoder.
    }
  }
  return null;
}

/** The part of a `getTransaction` answer (encoding `json`) that carries events. */
export type TransactionWithInnerInstructions = {
  transaction: { message: { accountKeys: readonly Address[] } };
  meta: {
    innerInstructions?:
      | readonly {
          instructions: readonly { programIdIndex: number; data: string }[];
        }[]
      | null;
  } | null;
};

/** The program's events in a transaction, in the order they were emitted. */
export function eventsOf(transaction: TransactionWithInnerInstructions): EscrowEvent[] {
  const keys = transaction.transaction.message.accountKeys;
  const base58 = getBase58Encoder();
  const events: EscrowEvent[] = [];
  for (const inner of transaction.meta?.innerInstructions ?? []) {
    for (const instruction of inner.instructions) {
      if (keys[instruction.programIdIndex] !== P2P_ESCROW_PROGRAM_ADDRESS) continue;
      const data = base58.encode(instruction.data);
      const tagged = EVENT_IX_TAG.every((byte, i) => data[i] === byte);
      if (!tagged) continue;
      const event = decodeEvent(data.slice(EVENT_IX_TAG.length));
      if (event) events.push(event);
    }
  }
  return events;
}
