#!/usr/bin/env bash
# Runs every check and test of the project.
# Rust: formatting, clippy with warnings as errors, the IDL staleness check, and the tests (the
# program run natively in program-test; unit, integration, adversarial, stateful and the byte
# vectors shared with the TypeScript client).
# TypeScript (app/): formatting, the Codama client's staleness check against the IDL, type
# checking, the builds of the command line and the web desk, and the node:test suites against the
# local chain (byte vectors, the local chain's JSON-RPC, the SDK, every command-line subcommand,
# migrations/deploy.ts, and the web desk end to end in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo xtask idl --check
cargo test --locked --workspace
cargo build --locked --quiet -p p2p-escrow-local-chain

npm run --prefix app --silent format:check
npm run --prefix app --silent generate:check
npm run --prefix app --silent typecheck
npm run --prefix app --silent build
npm run --prefix app --silent build:web
npm test --prefix app --silent
