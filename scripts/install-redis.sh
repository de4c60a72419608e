#!/usr/bin/env bash
# Installs Debian's `redis-server` package (7.0 on bookworm) when it is
# missing, for the tests of oauth_security's shared state, which start their
# own redis-server on 127.0.0.1 and a free port (internal/testutil/redis.go).
# Idempotent; needs root (or sudo) and apt-get.
#
# The package would start a redis service on port 6379; while installing, a
# policy-rc.d that denies service starts is put in place when the machine has
# none, so nothing is left running.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

sudo=
if [[ $(id -u) != 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-redis.sh: redis-server is missing and installing it needs root (apt-get install redis-server)" >&2
    exit 1
  fi
  sudo=sudo
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis.sh: redis-server is missing and this machine has no apt-get; install Redis 7.0+ yourself" >&2
  exit 1
fi

# One installer at a time (parallel make targets, several shells).
exec 9>/tmp/otelcol-oauth-apt.lock
flock 9
if command -v redis-server >/dev/null 2>&1; then
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

echo "install-redis.sh: installing Debian's redis-server package" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2
redis-server --version >&2
