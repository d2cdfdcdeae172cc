#!/usr/bin/env bash
# The whole benchmark, and a short report with plots:
#   scripts/bench.sh          short (a few minutes): each step once, 5 s windows
#   scripts/bench.sh long     longer windows, more concurrency levels, 3 repeats, a soak
# Writes build/bench/report.md (a table per part, the machine and the date) with PNG plots
# of throughput and step latency against concurrency beside it (gnuplot; scripts/setup.sh
# --bench installs it). Needs build/ussdgw (built here if missing) and node with the npm
# smpp package (scripts/setup.sh). The first run creates the 1,000,000-subscriber database
# in build/bench/db-1000000 (kept for later runs).
# Run it on a quiet machine; on a shared one wrap it: flock /work/.build.lock scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
scripts/setup.sh --bench
out=build/bench
bin=build/ussdgw
[[ -x $bin ]] || scripts/build.sh build
mkdir -p "$out"
csv=$out/ussd.csv
log=$out/bench.log
rm -f "$csv" "$log"

case "$mode" in
  short) seconds=5; warmup=2; levels="100 1000 5000"; repeats=1; idle=100000; soak=0 ;;
  long) seconds=15; warmup=3; levels="100 300 1000 3000 5000"; repeats=3; idle=100000; soak=90 ;;
  *) echo "usage: scripts/bench.sh [short|long]" >&2; exit 2 ;;
esac

run() { echo "\$ $*" | tee -a "$log"; "$@" 2>&1 | tee -a "$log"; }

echo "== complete USSD dialogues: ussdgw vs the node smpp application, by concurrency" | tee -a "$log"
for c in $levels; do
  for r in $(seq "$repeats"); do
    run "$bin" bench ussd --concurrency "$c" --seconds "$seconds" --warmup "$warmup" \
      --csv "$csv" || true
  done
done

# The engine's best rate (median over the runs at its best level), then half of it offered
# at a fixed rate: the latency target is measured there.
best=$(awk -F, '$1=="ussdgw" && $3!="" {print $6}' "$csv" | sort -n | tail -1)
half=$(( ${best%.*} / 2 ))
echo "== ussdgw at half its best rate ($half dialogues/s offered)" | tee -a "$log"
run "$bin" bench ussd --target engine --concurrency 5000 --rate "$half" --seconds "$seconds" \
  --warmup "$warmup" --csv "$csv" || true

# Password dialogues (*141*0#, an Argon2id hash each) beside the 3-step ones: 5% of the
# dialogues ask for a password, far more than the hash pool serves. The 3-step dialogues'
# rate is compared with a run without them (alternating, each repeated), and their step p99
# and the password dialogues' deadline are read at half the best rate.
mix=$out/mix.csv
rm -f "$mix"
echo "== password dialogues beside the 3-step ones (5% of the dialogues)" | tee -a "$log"
for r in $(seq "$repeats"); do
  for share in 0 5; do
    run "$bin" bench ussd --target engine --concurrency 1000 --seconds "$seconds" \
      --warmup "$warmup" --password-share "$share" --csv "$mix" || true
  done
done
run "$bin" bench ussd --target engine --concurrency 5000 --rate "$half" --seconds "$seconds" \
  --warmup "$warmup" --password-share 5 --csv "$mix" || true

# The two fixed-rate runs again with the database on tmpfs, where every fsync is free: the
# engine's own latency apart from the disk's (the report prints which file system each ran on).
shm=/dev/shm/ussdgw-bench
if [[ -d /dev/shm && -w /dev/shm ]]; then
  echo "== the fixed-rate runs again, the engine's database on tmpfs" | tee -a "$log"
  for share in 0 5; do
    rm -rf "$shm"
    target_csv=$csv
    ((share == 0)) || target_csv=$mix
    run "$bin" bench ussd --target engine --concurrency 5000 --rate "$half" \
      --seconds "$seconds" --warmup "$warmup" --password-share "$share" --work-dir "$shm" \
      --csv "$target_csv" || true
  done
  rm -rf "$shm"
fi

# One event loop or several: the same closed-loop runs with the USSD links on the main loop
# and spread over two loop threads ([ussd] loop_threads), alternating, each repeated.
loops=$out/loops.csv
rm -f "$loops"
echo "== one event loop or two (links spread over loop threads)" | tee -a "$log"
for r in $(seq $((repeats + 1))); do
  for scenario in cancel toggle; do
    for lt in 0 2; do
      run "$bin" bench ussd --target engine --concurrency 1000 --seconds "$seconds" \
        --warmup "$warmup" --scenario "$scenario" --loop-threads "$lt" --csv "$loops" || true
    done
  done
done

echo "== memory per open idle dialogue ($idle dialogues)" | tee -a "$log"
run "$bin" bench ussd --concurrency 100 --seconds 2 --warmup 1 --idle "$idle" --csv "$csv" || true

if (( soak > 0 )); then
  echo "== soak: $soak s at half the best rate (RSS, latency and file sizes every 15 s)" \
    | tee -a "$log"
  run "$bin" bench ussd --target engine --concurrency 5000 --rate "$half" --seconds "$soak" \
    --warmup 5 --report-every 15 --csv "$csv" || true
fi

echo "== the parts: SMPP codec and server, storage" | tee -a "$log"
run "$bin" bench smpp --seconds "$seconds" || true
run "$bin" bench storage --subscribers 200000 --lookups 200000 --changes 20000 || true

python3 scripts/bench_report.py "$csv" "$log" "$out" "$mode" "$mix" "$loops"
echo "report: $out/report.md"
