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
. "$root/scripts/lib/toolcache.sh"
toolcache_begin loki github.com/grafana/loki/v3 "${1:-}"

echo "loki.sh: building Loki $version into $dir (cold: about ten minutes)" >&2
vprefix=github.com/grafana/loki/v3/pkg/util/build
(
  cd "$mod"
  CGO_ENABLED=0 nice -n 19 go build -trimpath -tags netgo \
    -ldflags "-s -w -X $vprefix.Version=${version#v} -X $vprefix.Branch=release -X $vprefix.Revision=$version" \
    -o "$tmp" github.com/grafana/loki/v3/cmd/loki
) >&2
toolcache_end loki
