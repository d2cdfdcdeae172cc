#!/usr/bin/env bash
# Configures and builds into build/ (or the directory given): scripts/build.sh [DIR] [cmake args...]
# Uses ccache when it is installed (rebuilds of unchanged files cost nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}; shift || true
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
# USSDGW_BUILD_TARGETS="a b": only these targets (scripts/test.sh), else everything.
targets=()
for t in ${USSDGW_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$dir" "${targets[@]}"
