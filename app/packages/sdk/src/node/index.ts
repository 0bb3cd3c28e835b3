/**
 * `@p2p-escrow/sdk/node`: what only Node can do (files and processes), kept out of the browser
 * entry: Solana CLI keypair files and starting the local chain.
 */
export * from "./keypair";
export * from "./localChain";
