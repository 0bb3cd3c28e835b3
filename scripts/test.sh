#!/usr/bin/env bash
# Runs every check and test of the project: formatting, clippy with warnings as errors, the IDL
# staleness check, and the Rust integration tests (the program run natively in program-test).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo run --locked --quiet -p p2p-escrow-tests --bin idl -- --check
cargo test --locked --workspace
