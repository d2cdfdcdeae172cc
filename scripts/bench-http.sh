#!/usr/bin/env bash
# HTTP ceiling of the engine: wrk (Debian package) with keep-alive against GET /healthz of a
# running build/ussdgw on the shipped configuration (files in a temporary directory, free
# ports, the SMPP link not required). Prints each run and min/median/max requests/s.
#   scripts/bench-http.sh [RUNS] [SECONDS] [CONNECTIONS]     (default 3 runs, 10 s, 50)
# Run it under the build lock on a shared machine: flock /work/.build.lock scripts/bench-http.sh
source "$(dirname "$0")/bench-engine.sh"
start_engine $((runs * (seconds + 5) + 30))
rates=()
for r in $(seq "$runs"); do
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz")
  rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "run $r: $rate requests/s, latency p50 $p50 p99 $p99"
  rates+=("$rate")
done
sort -g <<<"$(printf '%s\n' "${rates[@]}")" | awk '{v[NR] = $1} END {
  printf "GET /healthz keep-alive, wrk -t2 -c'"$conns"' -d'"$seconds"'s, %d runs: min %.0f median %.0f max %.0f requests/s\n",
         NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
