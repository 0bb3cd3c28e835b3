/**
 * The p2p-escrow TypeScript SDK: the Codama-generated client (instructions, accounts, types,
 * errors) and the hand-written layer over it (one call per action, listings, events, errors,
 * attestations, tokens).
 */
export * from "./generated";
export * from "./accounts";
export * from "./addresses";
export * from "./anchorErrors";
export * from "./attestation";
export * from "./client";
export * from "./cluster";
export * from "./errors";
export * from "./events";
export * from "./format";
export * from "./layout";
export * from "./room";
export * from "./rules";
export * from "./terms";
export * from "./localChain";
export * from "./paymentReference";
export * from "./tokens";
export * from "./tradeRoom";
export * from "./transactions";
export { address, type Address } from "@solana/kit";
