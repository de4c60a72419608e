#!/usr/bin/env bash
# apt-install.sh PACKAGE PROGRAM...: installs Debian's PACKAGE when any of
# the PROGRAMs is missing from PATH. Idempotent; needs root (or sudo) and
# apt-get. The tests start their own servers on 127.0.0.1, so while
# installing, a policy-rc.d that denies service starts is put in place when
# the machine has none: the package's own service is never left running.
set -euo pipefail

pkg=$1
shift
have_all() {
  local p
  for p in "$@"; do command -v "$p" >/dev/null 2>&1 || return 1; done
}
if have_all "$@"; then
  exit 0
fi

sudo=
if [[ $(id -u) != 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "apt-install.sh: $* missing and installing it needs root (apt-get install $pkg)" >&2
    exit 1
  fi
  sudo=sudo
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-install.sh: $* missing and this machine has no apt-get; install $pkg yourself" >&2
  exit 1
fi

# One installer at a time (parallel make targets, several shells).
exec 9>/tmp/otelcol-oauth-apt.lock
flock 9
if have_all "$@"; then
  exit 0
fi

policy=/usr/sbin/policy-rc.d
added_policy=
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 0755 "$policy"
  added_policy=1
fi
cleanup() { if [[ -n $added_policy ]]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT

echo "apt-install.sh: installing Debian's $pkg package" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2
