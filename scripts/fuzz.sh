#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time: scripts/fuzz.sh [SECONDS] (default 60 for
# the SMPP codec; the USSD menus and HTTP request targets get half of it each, one after the
# other beside it).
# Needs build-fuzz/ (another directory with FUZZ_BUILD_DIR=...), built with
#   CC=clang CXX=clang++ scripts/build.sh build-fuzz -DUSSDGW_FUZZ=ON -DUSSDGW_TESTS=OFF
# Each target works on a copy of its tests/fuzz/corpus/<name> in that directory so the
# committed seed corpus does not grow; exits non-zero on a crash, leak, timeout or OOM and
# leaves the reproducer in build-fuzz/fuzz-work/<name>/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=${FUZZ_BUILD_DIR:-build-fuzz}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# fuzz_target NAME SECONDS MAX_LEN
fuzz_target() {
  local name=$1 secs=$2 max_len=$3
  local bin=$dir/fuzz_$name
  if [[ ! -x $bin ]]; then
    echo "fuzz: $bin is missing; build it with:" >&2
    echo "  CC=clang CXX=clang++ scripts/build.sh build-fuzz -DUSSDGW_FUZZ=ON -DUSSDGW_TESTS=OFF" >&2
    return 1
  fi
  local work=$dir/fuzz-work/$name
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/corpus/"
  echo "== fuzz_$name for ${secs}s (corpus copy in $work)"
  if ! "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=5 -max_len="$max_len" \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
      >"$work/log.txt" 2>&1; then
    tail -n 60 "$work/log.txt"
    echo "fuzz: fuzz_$name FAILED; reproducer(s): $(ls "$work/artifacts")" >&2
    return 1
  fi
  grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$work/log.txt" || true
  echo "fuzz: fuzz_$name, no crash in ${secs}s"
}

# Two lanes on the two cores: the SMPP codec for the whole time beside the USSD menus then
# the HTTP request path for half of it each, so the run takes SECONDS, not twice that.
fuzz_target pdu_codec "$seconds" 4096 &
codec=$!
status=0
fuzz_target ussd_menus $(((seconds + 1) / 2)) 512 || status=1
fuzz_target http_request $(((seconds + 1) / 2)) 4096 || status=1
wait "$codec" || status=1
exit "$status"
