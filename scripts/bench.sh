#!/usr/bin/env bash
# The bench: starts its own local chain and prints, as Markdown, every instruction's largest
# transaction (bytes, headroom, accounts, writable accounts, compute units), the rent a seller and
# a buyer lock and the proof that it comes back, JSON-RPC requests per complete trade, complete
# trades per second (sequential and 8 buyers at once) and the web desk's offer book load at 1,000
# open offers (headless Chromium). Takes under a minute. Needs ./scripts/setup.sh to have run (the
# local chain binary, the client's packages and the web desk's build).
# Exits non-zero if a budget is broken (a transaction with less than 300 bytes of headroom, more
# than 9 requests per trade through one client, rent that does not come back).
# docs/performance.md keeps a run: ./scripts/bench.sh > run.md
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet -p p2p-escrow-local-chain
npm run --prefix app --silent bench
