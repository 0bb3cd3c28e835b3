#!/usr/bin/env bash
# Sets up a fresh machine and builds everything: the pinned Rust toolchain (rust-toolchain.toml,
# through rustup), every crate the workspace needs, the program, its test suite and the IDL
# generator. It does not rewrite the committed IDL: `cargo run -p p2p-escrow-tests --bin idl` does.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rustup >/dev/null 2>&1; then
  echo "rustup is required: it installs the toolchain pinned in rust-toolchain.toml" >&2
  exit 1
fi
rustup toolchain install  # the toolchain and components pinned in rust-toolchain.toml

cargo fetch --locked
cargo build --locked --workspace --all-targets
echo "setup done: run ./scripts/test.sh to run every test"
