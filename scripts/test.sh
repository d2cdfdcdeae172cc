#!/usr/bin/env bash
# Sets up, builds and runs every test: the unit and integration suites (build/), the same
# under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), a bounded libFuzzer
# run of the SMPP codec, the USSD menus and the HTTP request path (build-fuzz/), and a
# clang-format check.
#
# Kept short on a 2-core machine (CI builds everything cold):
# - while a pass's suites run, the next pass's build compiles in the background at the lowest
#   CPU priority (nice 19): the suites mostly wait on sockets, timers and the browser, so the
#   compiler only takes the CPU they leave idle; its output goes to <dir>/build-output.log
#   and is printed if it fails;
# - the fuzz build compiles only the libraries its three targets link.
set -euo pipefail
cd "$(dirname "$0")/.."

# stage NAME: prints the stage's heading with the minutes and seconds since the start, so a
# slow run's log shows where its time went.
stage() {
  printf '== %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60))
}

stage "setup"
scripts/setup.sh --test

stage "layer check"
scripts/check-layers.sh

stage "format check"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

# Background jobs get their own process group, so that the EXIT trap stops a whole build
# (cmake, ninja and the compilers) if the script ends early.
set -m
bg_pid=""
bg_log=""
trap '[[ -z "$bg_pid" ]] || kill -- "-$bg_pid" 2>/dev/null || true' EXIT

# in_background DIR COMMAND...: runs COMMAND at nice 19, its output in DIR/build-output.log.
in_background() {
  local dir=$1
  shift
  mkdir -p "$dir"
  bg_log=$dir/build-output.log
  (
    renice -n 19 -p "$BASHPID" >/dev/null
    "$@"
  ) >"$bg_log" 2>&1 &
  bg_pid=$!
}

# wait_background: waits for the background build; prints its output and stops if it failed.
wait_background() {
  local status=0
  wait "$bg_pid" || status=$?
  bg_pid=""
  if ((status != 0)); then
    cat "$bg_log"
    echo "test.sh: the background build failed (exit $status): $bg_log" >&2
    exit "$status"
  fi
  tail -n 1 "$bg_log"
}

# The ASan and fuzz builds unity-build the libraries and the unit suites (USSDGW_UNITY:
# the suites' objects took 856 s of compiler CPU cold, against about 1,460 one file per
# test); build/ compiles one file per unit, which proves each file includes what it uses.
build_asan() {
  scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DUSSDGW_SANITIZE=ON -DUSSDGW_UNITY=ON
}

build_fuzz() {
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DUSSDGW_FUZZ=ON -DUSSDGW_TESTS=OFF -DUSSDGW_UNITY=ON >/dev/null
  cmake --build build-fuzz --target fuzz_pdu_codec fuzz_ussd_menus fuzz_http_request
}
fuzz=false
[[ -f tests/fuzz/CMakeLists.txt ]] && fuzz=true

# The unit suites (label unit) run in the ASan + UBSan pass only: compiling them twice was
# about seven minutes of a cold run on 2 cores. build/ gets the engine and the tools the
# interop, fault, bench and web tests drive, and runs those.
stage "build and test (build/): the engine against real peers"
USSDGW_BUILD_TARGETS="ussdgw smpp_golden_writer http_ussd_load" \
  scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "(build-asan/ compiles in the background meanwhile)"
in_background build-asan build_asan
ctest --test-dir build --output-on-failure -LE unit
wait_background

stage "build and test with ASan + UBSan (build-asan/)"
if $fuzz; then
  echo "(build-fuzz/ compiles in the background meanwhile)"
  in_background build-fuzz build_fuzz
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Two suites at a time: most of them wait on sockets and timers. The ones that load the
# machine or measure how fast peers are served (RUN_SERIAL in their CMakeLists) run alone.
ctest --test-dir build-asan --output-on-failure -LE no-sanitizer -j2

if $fuzz; then
  stage "fuzz the SMPP codec, the USSD menus and the HTTP request path (build-fuzz/)"
  wait_background
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
fi
stage "all tests passed"
