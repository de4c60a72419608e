#!/usr/bin/env bash
# Installs Debian's `redis-server` package (7.0 on bookworm) when it is
# missing (scripts/apt-install.sh), for the tests of oauth_security's shared
# state, which start their own redis-server on 127.0.0.1 and a free port
# (internal/testutil/redis.go).
set -euo pipefail
"$(dirname "$0")/apt-install.sh" redis-server redis-server
