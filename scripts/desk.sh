#!/usr/bin/env bash
# The main job: starts a local chain running the real program and drives a session of the desk
# through the `p2p-escrow` command line (config and arbiters, a Token-2022 stable coin with a
# transfer fee, a trade released on a payment attestation, one ruled 70/30, one expired, the
# admin withdrawing protocol fees from the fee vault), then
# prints the timelines and final balances. Exits 0 only if the balances add up.
# Needs ./scripts/setup.sh to have built target/debug/local-chain and the client's
# packages (app/packages/*/dist). The session itself is app/examples/desk/desk.ts.
# The local chain listens on a free port; P2P_DESK_PORT picks one instead.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet -p p2p-escrow-local-chain
npm run --prefix app --silent desk
