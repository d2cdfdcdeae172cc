#!/usr/bin/env bash
# Sets up, builds and runs every test: the unit and integration suites (build/), the same
# under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), a bounded libFuzzer
# run of the SMPP codec (build-fuzz/), and a clang-format check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

echo "== layer check"
scripts/check-layers.sh

echo "== format check"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

echo "== build and test (build/)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ctest --test-dir build --output-on-failure

echo "== build and test with ASan + UBSan (build-asan/)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DUSSDGW_SANITIZE=ON
ctest --test-dir build-asan --output-on-failure -LE no-sanitizer

if [[ -f tests/fuzz/CMakeLists.txt ]]; then
  echo "== fuzz the SMPP codec, the USSD menus and the HTTP request path (build-fuzz/)"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DUSSDGW_FUZZ=ON -DUSSDGW_TESTS=OFF >/dev/null
  cmake --build build-fuzz --target fuzz_pdu_codec fuzz_ussd_menus fuzz_http_request
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
fi
echo "== all tests passed"
