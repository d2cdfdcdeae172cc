#!/usr/bin/env bash
# Sets up, builds and runs the engine on its defaults (conf/ussdgw.toml, a SQLite file in
# var/, and a local network simulator on 127.0.0.1). Ctrl-C stops both. The engine's HTTP
# face ([http] listen, 127.0.0.1:8080 by default) serves the web cabinet page at / (printed
# with the simulator's prompt), the cabinet API under /api/v1/, and /healthz, /readyz and
# /metrics; its log line `http.listening ... port=N` tells the port.
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
http_listen=$(awk '/^\[http\]/ {h = 1; next} /^\[/ {h = 0} h && /^listen *=/ {gsub(/[" ]/, "", $3); print $3; exit}' conf/ussdgw.toml)
page="http://${http_listen:-127.0.0.1:8080}/"
note="run.sh: the web cabinet is at ${page}  (API /api/v1/, also /healthz /readyz /metrics)
run.sh: first minute: type  375291000001 *141*0#  here, read the password in the SMS printed
        below, open ${page} and log in as 375291000001 with it."
echo "run.sh: the web cabinet: ${page}"
if [[ -f scripts/node/netsim.js ]]; then
  node scripts/node/netsim.js --note "$note" &
  pids+=($!)
fi
build/ussdgw --config conf/ussdgw.toml run "$@"
