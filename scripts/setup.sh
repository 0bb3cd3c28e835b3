#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job. Installs the pinned Rust toolchain
# (rust-toolchain.toml, through rustup) and builds every crate (the program, the test suite, the
# build tasks, the local chain) and checks the committed IDL; installs Debian's Chromium for the browser tests if it is
# missing; installs the TypeScript client's npm workspace (app/, from package-lock.json) and builds
# its packages (the SDK, the `p2p-escrow` command line, the web desk); then runs a live session of the
# desk on a local chain (./scripts/desk.sh), which exits non-zero unless the balances add up.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rustup >/dev/null 2>&1; then
  echo "rustup is required: it installs the toolchain pinned in rust-toolchain.toml" >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js 20.19 or newer with npm is required for the TypeScript client (app/)" >&2
  exit 1
fi
rustup toolchain install  # the toolchain and components pinned in rust-toolchain.toml

# The browser tests drive Debian's Chromium with playwright-core (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
fi

cargo fetch --locked
cargo build --locked --workspace --all-targets
# The IDL check compiles the program once more with its `idl-build` feature (target/idl): done
# here, so that the first test run does not pay for it.
cargo xtask idl --check

npm ci --prefix app --no-audit --no-fund
npm run --prefix app build

./scripts/desk.sh
echo "setup done: run ./scripts/test.sh to run every test"
