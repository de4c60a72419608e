#!/usr/bin/env bash
# Installs Debian's `prometheus` package (prometheus and promtool, 2.42 on
# bookworm) when either program is missing. Idempotent: does nothing when both
# are on PATH. Needs root (or sudo) and apt-get.
#
# The package would start a prometheus service listening on every interface;
# while installing, a policy-rc.d that denies service starts is put in place
# when the machine has none, so nothing is left running. The tests start their
# own prometheus on 127.0.0.1.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi

sudo=
if [[ $(id -u) != 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-prometheus.sh: promtool is missing and installing it needs root (apt-get install prometheus)" >&2
    exit 1
  fi
  sudo=sudo
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-prometheus.sh: promtool is missing and this machine has no apt-get; install Prometheus 2.42+ yourself" >&2
  exit 1
fi

# One installer at a time (parallel make targets, several shells).
exec 9>/tmp/otelcol-oauth-apt.lock
flock 9
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
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

echo "install-prometheus.sh: installing Debian's prometheus package (prometheus, promtool)" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2
promtool --version 2>&1 | head -n 1 >&2
