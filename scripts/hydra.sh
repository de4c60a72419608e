#!/usr/bin/env bash
# Builds Ory Hydra from its Go module once and prints the path of the binary.
#
# The version and every dependency are pinned by tools/hydra/go.mod (which
# repeats the replace directive of Hydra's own go.mod) and tools/hydra/go.sum.
# Hydra's in-memory store (`dsn: memory`) is SQLite, so the build needs cgo
# and a C compiler: when none works, Debian's gcc with the C library headers
# (build-essential: gcc alone only recommends libc6-dev) is installed through
# scripts/apt-install.sh. The binary goes to a cache outside the work tree,
#   ${OTELCOL_OAUTH_CACHE:-$XDG_CACHE_HOME/otelcol-oauth}/hydra-<version>/hydra,
# and is reused while tools/hydra/go.mod and go.sum are unchanged; a new
# binary replaces the old one by an atomic rename. Concurrent callers wait
# for one build (flock).
#
#   scripts/hydra.sh            build when needed, print the binary's path
#   scripts/hydra.sh --force    rebuild
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/lib/toolcache.sh"
toolcache_begin hydra github.com/ory/hydra/v2 "${1:-}"

# cgo needs a compiler that finds the C library headers.
cc=${CC:-cc}
cc_works() { printf '#include <stdlib.h>\nint main(void) { return 0; }\n' | "$cc" -x c -o /dev/null - >/dev/null 2>&1; }
if ! cc_works; then
  "$root/scripts/apt-install.sh" build-essential gcc
  if ! command -v "$cc" >/dev/null 2>&1; then cc=gcc; fi
  if ! cc_works; then
    echo "hydra.sh: $cc cannot compile a C program with <stdlib.h>; install Debian's libc6-dev (or set CC)" >&2
    exit 1
  fi
fi

echo "hydra.sh: building Ory Hydra $version into $dir" >&2
vprefix=github.com/ory/hydra/v2/driver/config
(
  cd "$mod"
  CC=$cc CGO_ENABLED=1 nice -n 19 go build -trimpath -tags sqlite,sqlite_omit_load_extension \
    -ldflags "-s -w -X $vprefix.Version=$version" \
    -o "$tmp" github.com/ory/hydra/v2
) >&2
toolcache_end hydra
