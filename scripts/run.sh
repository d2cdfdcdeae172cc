#!/usr/bin/env bash
# Sets up, builds and runs the engine on its defaults (conf/ussdgw.toml, a SQLite file in
# var/, and a local network simulator on 127.0.0.1). Ctrl-C stops both. The engine's HTTP
# face ([http] listen, 127.0.0.1:8080 by default) serves /healthz, /readyz and /metrics; its
# log line `http.listening ... port=N` tells the port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
mkdir -p var
# First run: the demo subscribers (conf/demo-subscribers.csv) give the defaults numbers to dial,
# and demo call details (conf/demo-calls.csv) something to show in the cabinet.
if [[ ! -f var/ussdgw.db ]]; then
  build/ussdgw --config conf/ussdgw.toml subscribers import conf/demo-subscribers.csv
  build/ussdgw --config conf/ussdgw.toml calls import conf/demo-calls.csv
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if [[ -f scripts/node/netsim.js ]]; then
  node scripts/node/netsim.js &
  pids+=($!)
fi
http_listen=$(awk '/^\[http\]/ {h = 1; next} /^\[/ {h = 0} h && /^listen *=/ {gsub(/[" ]/, "", $3); print $3; exit}' conf/ussdgw.toml)
echo "run.sh: HTTP on http://${http_listen:-127.0.0.1:8080} (/healthz /readyz /metrics); the engine logs http.listening"
build/ussdgw --config conf/ussdgw.toml run "$@"
