#!/usr/bin/env bash
# Runs the SMPP codec fuzzer for a bounded time: scripts/fuzz.sh [SECONDS] (default 60).
# Needs build-fuzz/ (another directory with FUZZ_BUILD_DIR=...), built with
#   CC=clang CXX=clang++ scripts/build.sh build-fuzz -DUSSDGW_FUZZ=ON -DUSSDGW_TESTS=OFF
# Works on a copy of tests/fuzz/corpus/pdu_codec in that directory so the committed seed
# corpus does not grow; exits non-zero on a crash, leak, timeout or OOM and leaves the
# reproducer in build-fuzz/fuzz-work/pdu_codec/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=${FUZZ_BUILD_DIR:-build-fuzz}
bin=$dir/fuzz_pdu_codec
if [[ ! -x $bin ]]; then
  echo "fuzz: $bin is missing; build it with:" >&2
  echo "  CC=clang CXX=clang++ scripts/build.sh build-fuzz -DUSSDGW_FUZZ=ON -DUSSDGW_TESTS=OFF" >&2
  exit 1
fi
work=$dir/fuzz-work/pdu_codec
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp tests/fuzz/corpus/pdu_codec/* "$work/corpus/"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== fuzz_pdu_codec for ${seconds}s (corpus copy in $work)"
if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
    >"$work/log.txt" 2>&1; then
  tail -n 60 "$work/log.txt"
  echo "fuzz: FAILED; reproducer(s): $(ls "$work/artifacts")" >&2
  exit 1
fi
grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$work/log.txt" || true
echo "fuzz: no crash in ${seconds}s"
