/**
 * Shared fixtures of the client's tests and the bench: a local chain with a configured desk
 * (`desk`), an RPC client that records its requests (`recordingRpc`), every instruction measured
 * (`everyInstruction`), the web desk served to headless Chromium (`web`), and bank statements
 * written as a bank would (`statements`).
 */
export * from "./desk";
export * from "./recordingRpc";
export * from "./everyInstruction";
export * from "./web";
export * from "./statements";
