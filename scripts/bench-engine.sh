# Sourced by the HTTP benchmarks (bench-http.sh, bench-api.sh): reads [RUNS] [SECONDS]
# [CONNECTIONS] (default 3, 10, 50), checks for wrk, writes the shipped configuration into a
# temporary directory (free ports, the SMPP link not required; `bench_config_sections`, a
# Python dict literal, overrides settings), and `start_engine SECONDS` runs build/ussdgw on it
# for that long, stopped and cleaned up on exit, leaving its HTTP port in `port`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; seconds=${2:-10}; conns=${3:-50}
bench_name=$(basename "$0" .sh)
command -v wrk >/dev/null || { echo "$bench_name: wrk is missing (scripts/setup.sh --test)" >&2; exit 1; }
tmp=$(mktemp -d "/tmp/ussdgw-$bench_name-XXXXXX")
sections=${bench_config_sections:-"{}"}
conf=$(python3 - "$tmp" "$sections" <<'PY'
import ast, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "tests/interop/peers")
import ussdgw_harness as h
print(h.shipped_config(sys.argv[1], h.free_port(), subs=[("required = true", "required = false")],
                       sections=ast.literal_eval(sys.argv[2])))
PY
)
start_engine() {
  build/ussdgw -c "$conf" run --for "$1" >"$tmp/engine.log" 2>&1 &
  pid=$!
  trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
  for _ in $(seq 100); do grep -q 'event=http.listening listener=main' "$tmp/engine.log" && break; sleep 0.1; done
  port=$(grep -o 'listener=main address=[^ ]* port=[0-9]*' "$tmp/engine.log" | grep -o '[0-9]*$')
}
