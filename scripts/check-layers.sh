#!/usr/bin/env bash
# Layer check: smpp/, storage/ and menus/ include only their own headers and engine/base (the
# one leaf library every layer may include); no other engine/ header, and not each other.
# Prints every offending include (file:line) and exits 1 when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for layer in smpp storage menus; do
  while IFS= read -r hit; do
    [[ -z "$hit" ]] && continue
    echo "layer violation: $hit  ($layer/ may include only $layer/ and engine/base/)"
    status=1
  done < <(git ls-files "$layer/*.cpp" "$layer/*.hpp" "$layer/**/*.cpp" "$layer/**/*.hpp" |
           sort -u | xargs -r grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
           grep -vE "#[[:space:]]*include[[:space:]]*\"($layer/|engine/base/)" || true)
done
if [[ $status -eq 0 ]]; then echo "layers ok: smpp/, storage/, menus/ include only themselves and engine/base"; fi
exit $status
