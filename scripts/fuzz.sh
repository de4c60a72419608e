#!/usr/bin/env bash
# Runs every Go fuzz target of the module for $FUZZTIME each. Targets are
# found in the source, so a new FuzzXxx is picked up without editing this.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
found=0
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  found=$((found + 1))
  echo "fuzz $pkg $name for $fuzztime"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done < <(grep -rHoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)' --exclude-dir=_build . \
         | sed -E 's#^\./##; s#:func #:#' | sort -u)
echo "fuzz: $found target(s) run"
