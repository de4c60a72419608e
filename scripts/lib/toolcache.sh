# Sourced by scripts/loki.sh and scripts/hydra.sh: a Go tool built once from
# its pinned module tools/<name>/go.mod into a cache outside the work tree,
#   ${OTELCOL_OAUTH_CACHE:-$XDG_CACHE_HOME/otelcol-oauth}/<name>-<version>/<name>,
# reused while tools/<name>/go.mod and go.sum are unchanged. Concurrent
# callers wait for one build (flock); a new binary replaces the old one by an
# atomic rename. Needs $root (the repository).

# toolcache_begin NAME MODULE [--force] sets mod, version, dir, bin and tmp
# (where to build). When the cached binary is up to date (and not --force)
# it prints its path and exits; otherwise it holds the build lock.
toolcache_begin() {
  local name=$1 module=$2 force=${3:-}
  mod=$root/tools/$name
  version=$(awk -v m="$module" '$1 == m { print $2; exit }' "$mod/go.mod")
  if [[ -z $version ]]; then
    echo "$name.sh: no $module requirement in $mod/go.mod" >&2
    exit 1
  fi
  local cache=${OTELCOL_OAUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/otelcol-oauth}
  dir=$cache/$name-$version
  bin=$dir/$name
  stamp=$dir/inputs.sha256
  want=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -d' ' -f1)
  if [[ $force != --force ]] && toolcache_fresh; then
    echo "$bin"
    exit 0
  fi
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9
  # Another caller may have finished the build while this one waited.
  if [[ $force != --force ]] && toolcache_fresh; then
    echo "$bin"
    exit 0
  fi
  start=$(date +%s)
  tmp=$(mktemp "$dir/$name.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
}

toolcache_fresh() { [[ -x $bin && -f $stamp && $(cat "$stamp") == "$want" ]]; }

# toolcache_end NAME installs the binary built at $tmp and prints its path.
toolcache_end() {
  chmod 0755 "$tmp"
  mv -f "$tmp" "$bin"
  trap - EXIT
  echo "$want" >"$stamp"
  echo "$1.sh: built $bin in $(($(date +%s) - start)) s" >&2
  echo "$bin"
}
