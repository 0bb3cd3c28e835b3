#!/usr/bin/env bash
# Runs every check and test of the project.
# Rust: formatting, clippy with warnings as errors, the IDL staleness check, and the tests (the
# program run natively in program-test; unit, integration, adversarial, stateful and the byte
# vectors shared with the TypeScript client).
# TypeScript (app/, an npm workspace): formatting, the Codama client's staleness check against the
# IDL, type checking, the builds of its packages (the SDK, the command line, the web desk), and each
# package's node:test suite against the local chain (the SDK: byte vectors, the local chain's
# JSON-RPC, every call and its published build, the transaction-size budgets; the command line:
# every subcommand and `deploy`, and the payment attestor end to end; the web desk: end to end in
# headless Chromium; the attestor: bank statements read and matched, the public samples of
# ../shared/data/iso20022 where present, its ledger).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
# The program alone, as it deploys: with its entrypoint and security.txt (the workspace builds
# link it without them, `no-entrypoint`).
cargo clippy --locked -p p2p-escrow --lib -- -D warnings
cargo xtask idl --check
cargo test --locked --workspace
cargo build --locked --quiet -p p2p-escrow-local-chain

npm run --prefix app --silent format:check
npm run --prefix app --silent generate:check
npm run --prefix app --silent typecheck
npm run --prefix app --silent build
npm test --prefix app --silent
