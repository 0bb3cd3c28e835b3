/**
 * Shared fixtures of the client's tests and the bench: a local chain with a configured desk
 * (`desk`), an RPC client that records its requests (`recordingRpc`), every instruction measured
 * (`everyInstruction`), and the web desk served to headless Chromium (`web`).
 */
export * from "./desk";
export * from "./recordingRpc";
export * from "./everyInstruction";
export * from "./web";
