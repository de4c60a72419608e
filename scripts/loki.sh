#!/usr/bin/env bash
# Builds Loki from its Go module once and prints the path of the binary.
#
# The version and every dependency are pinned by tools/loki/go.mod (which
# repeats the replace directives of Loki's own go.mod) and tools/loki/go.sum.
# The binary goes to a cache outside the work tree,
#   ${OTELCOL_OAUTH_CACHE:-$XDG_CACHE_HOME/otelcol-oauth}/loki-<version>/loki,
# and is reused while tools/loki/go.mod and go.sum are unchanged. A cold build
# takes about ten minutes on two cores (run at the lowest CPU priority); a warm
# call returns at once. Concurrent callers wait for one build (flock).
#
#   scripts/loki.sh            build when needed, print the binary's path
#   scripts/loki.sh --force    rebuild
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mod=$root/tools/loki
version=$(awk '$1 == "github.com/grafana/loki/v3" { print $2; exit }' "$mod/go.mod")
if [[ -z $version ]]; then
  echo "loki.sh: no github.com/grafana/loki/v3 requirement in $mod/go.mod" >&2
  exit 1
fi
cache=${OTELCOL_OAUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/otelcol-oauth}
dir=$cache/loki-$version
bin=$dir/loki
stamp=$dir/inputs.sha256
want=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -d' ' -f1)

fresh() { [[ -x $bin && -f $stamp && $(cat "$stamp") == "$want" ]]; }

if [[ ${1:-} != --force ]] && fresh; then
  echo "$bin"
  exit 0
fi

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
# Another caller may have finished the build while this one waited.
if [[ ${1:-} != --force ]] && fresh; then
  echo "$bin"
  exit 0
fi

echo "loki.sh: building Loki $version into $dir (cold: about ten minutes)" >&2
start=$(date +%s)
tmp=$(mktemp "$dir/loki.XXXXXX")
trap 'rm -f "$tmp"' EXIT
vprefix=github.com/grafana/loki/v3/pkg/util/build
(
  cd "$mod"
  CGO_ENABLED=0 nice -n 19 go build -trimpath -tags netgo \
    -ldflags "-s -w -X $vprefix.Version=${version#v} -X $vprefix.Branch=release -X $vprefix.Revision=$version" \
    -o "$tmp" github.com/grafana/loki/v3/cmd/loki
) >&2
chmod 0755 "$tmp"
mv -f "$tmp" "$bin"
trap - EXIT
echo "$want" >"$stamp"
echo "loki.sh: built $bin in $(($(date +%s) - start)) s" >&2
echo "$bin"
