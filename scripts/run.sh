#!/usr/bin/env bash
# Sets up, builds and runs the engine on its defaults (conf/ussdgw.toml, a SQLite file in
# var/, and a local network simulator on 127.0.0.1). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
mkdir -p var
# First run: the demo subscribers (conf/demo-subscribers.csv) give the defaults numbers to dial.
if [[ ! -f var/ussdgw.db ]]; then
  build/ussdgw --config conf/ussdgw.toml subscribers import conf/demo-subscribers.csv
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if [[ -f scripts/node/netsim.js ]]; then
  node scripts/node/netsim.js &
  pids+=($!)
fi
build/ussdgw --config conf/ussdgw.toml run "$@"
