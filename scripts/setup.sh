#!/usr/bin/env bash
# Installs what ussdgw needs on a fresh Debian 12 machine (only what is missing).
#   scripts/setup.sh          build and run dependencies
#   scripts/setup.sh --test   also the test peers and tools (tshark, Perl Net::SMPP,
#                             node smpp, clang with libFuzzer, clang-format, curl,
#                             promtool from prometheus, wrk for the HTTP load numbers,
#                             python3-yaml to read the API contract (@redocly/cli lints it),
#                             and chromium for the web page's browser test)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config
          libboost-dev libsmpp34-dev libsqlite3-dev libfmt-dev doctest-dev libsodium-dev
          libtomlplusplus-dev libcli11-dev nlohmann-json3-dev nodejs npm sqlite3)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(tshark libnet-smpp-perl clang libclang-rt-14-dev clang-format python3 python3-yaml
             curl prometheus wrk chromium)
fi

missing=()
for p in "${packages[@]}"; do
  # nodejs/npm may come from another Debian-compatible source already (npm is bundled then).
  if [[ "$p" == npm ]] && command -v npm >/dev/null; then continue; fi
  if [[ "$p" == nodejs ]] && command -v node >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node packages used by the local network simulator, the interop tests and the browser test
# (puppeteer-core, which drives Debian's chromium and downloads nothing), installed from
# the lockfile (again whenever the lockfile changes; a stamp remembers which one was installed).
lock_sum=$(sha256sum scripts/node/package-lock.json | cut -d' ' -f1)
if [[ "$(cat scripts/node/node_modules/.ussdgw-lock 2>/dev/null)" != "$lock_sum" ]]; then
  (cd scripts/node && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > scripts/node/node_modules/.ussdgw-lock
fi
