/** The payment attestor: bank statements in, attested releases out. */
export * from "./camt";
export * from "./match";
export * from "./ledger";
export * from "./attestor";
