#!/usr/bin/env bash
# Installs Debian's `prometheus` package (prometheus and promtool, 2.42 on
# bookworm) when either program is missing (scripts/apt-install.sh). The
# tests start their own prometheus on 127.0.0.1.
set -euo pipefail
"$(dirname "$0")/apt-install.sh" prometheus prometheus promtool
