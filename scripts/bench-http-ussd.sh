#!/usr/bin/env bash
# USSD over HTTP, the aggregator convention: complete 3-step dialogues per second and step
# latency of build/ussdgw, and of a minimal node HTTP USSD application serving the same
# steps (scripts/node/ussd-http-app.js, as integrators write one), in the same run with the same
# load generator (build/http_ussd_load: C keep-alive connections, each running dialogues
# with unique sessionIds one after the other). The path is *141*3*6# -> "1" -> "2": the
# access state (a storage read), "close access?", "not changed": no password is hashed.
# The engine runs on the shipped configuration (files in a temporary directory, free ports,
# the SMPP link not required) with SUBSCRIBERS subscribers imported. Prints each run,
# min/median/max, and the ratio engine/node. Numbers, not a test.
#   scripts/bench-http-ussd.sh [RUNS] [SECONDS] [CONNECTIONS] [SUBSCRIBERS]
#                                     (default 3 runs, 10 s, 50 connections, 200000)
# Run it under the build lock on a shared machine: flock /work/.build.lock scripts/bench-http-ussd.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; seconds=${2:-10}; conns=${3:-50}; subscribers=${4:-200000}
base=375200000000
load=build/http_ussd_load
[[ -x $load ]] || load=$(find build -name http_ussd_load -type f -perm -u+x | head -1)
[[ -x ${load:-} && -x build/ussdgw ]] || { echo "bench-http-ussd: build first (scripts/build.sh)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/ussdgw-bench-http-ussd-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
conf=$(python3 - "$tmp" <<'PY'
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, "tests/interop/peers")
import ussdgw_harness as h
print(h.shipped_config(sys.argv[1], h.free_port(), subs=[("required = true", "required = false")]))
PY
)
python3 - "$tmp/subscribers.csv" "$subscribers" "$base" <<'PY'
import sys
path, n, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w", encoding="utf-8") as f:
    f.write("msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,"
            "payment,balance,language\n")
    for i in range(n):
        f.write("%d,B%d,individual,subscriber,Комфорт,%08d,no,active,prepaid,1.00,\n"
                % (base + i, i // 10, (i * 7919) % 100000000))
PY
echo "importing $subscribers subscribers..."
build/ussdgw -c "$conf" subscribers import "$tmp/subscribers.csv" | tail -1
build/ussdgw -c "$conf" run --for $((runs * 2 * (seconds + 10) + 60)) >"$tmp/engine.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q 'event=http.listening listener=main' "$tmp/engine.log" && break; sleep 0.1; done
port=$(grep -o 'listener=main address=[^ ]* port=[0-9]*' "$tmp/engine.log" | grep -o '[0-9]*$')
node scripts/node/ussd-http-app.js 0 "$base" "$subscribers" >"$tmp/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q '^listening' "$tmp/node.log" && break; sleep 0.1; done
node_port=$(awk '/^listening/ {print $2}' "$tmp/node.log")

field() { grep -o "$1=[0-9.]*" <<<"$2" | cut -d= -f2; }
measure() {  # name port -> prints the run, appends steps/s to the named file
  local out
  out=$("$load" "$2" /ussd '*141*3*6#' "$base" "$subscribers" "$conns" "$seconds" "" 1 1*2) ||
    echo "  ($1: errors, see above)" >&2
  echo "  $1: $out"
  echo "$(field steps_per_s "$out") $(field dialogues_per_s "$out") $(field p50_us "$out") $(field p99_us "$out")" >>"$tmp/$1.runs"
}
echo "3-step dialogues over HTTP keep-alive, $conns connections, ${seconds}s per run"
for r in $(seq "$runs"); do
  echo "run $r:"
  measure ussdgw "$port"
  measure node "$node_port"
done
stats() {  # file column -> "min median max"
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {printf "%.0f %.0f %.0f", v[1], v[int((NR + 1) / 2)], v[NR]}'
}
for who in ussdgw node; do
  read -r smin smed smax <<<"$(stats "$tmp/$who.runs" 1)"
  read -r dmin dmed dmax <<<"$(stats "$tmp/$who.runs" 2)"
  read -r _ p50 _ <<<"$(stats "$tmp/$who.runs" 3)"
  read -r _ p99 _ <<<"$(stats "$tmp/$who.runs" 4)"
  printf "%-7s steps/s min %s median %s max %s | dialogues/s min %s median %s max %s | step latency median p50 %s us p99 %s us\n" \
    "$who" "$smin" "$smed" "$smax" "$dmin" "$dmed" "$dmax" "$p50" "$p99"
done
paste -d' ' "$tmp/ussdgw.runs" "$tmp/node.runs" | awk '{printf "%.4f\n", $1 / $5}' | sort -g |
  awk '{v[NR] = $1} END {printf "ratio ussdgw/node steps/s (same run): min %.2f median %.2f max %.2f\n", v[1], v[int((NR + 1) / 2)], v[NR]}'
grep -c 'level=error' "$tmp/engine.log" | awk '{ if ($1 > 0) print "engine log: " $1 " error lines" }' || true
