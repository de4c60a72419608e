#!/usr/bin/env bash
# make demo: the collector on the default config (otelcol-config.yaml) and
# the OAuth generator at a gentle rate with a few attacks. Prints where to
# look; stops on Ctrl-C or after DEMO_DURATION (default 2m).
#
#   DEMO_DURATION=5m DEMO_RATE=100 make demo
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${OTELCOL_OAUTH_BIN:-bin/otelcol-oauth}
DURATION=${DEMO_DURATION:-2m}
RATE=${DEMO_RATE:-50}
SEED=${DEMO_SEED:-1}
KEY_FILE=.oauth-fingerprint-key
OUT=$(mktemp -d -t otelcol-oauth-demo.XXXXXX)
LOG=$OUT/collector.log
TRUTH=$OUT/ground-truth.json

if [ -z "${OAUTH_FINGERPRINT_KEY:-}" ]; then
  if [ ! -s "$KEY_FILE" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 -w0 > "$KEY_FILE")
    echo "OAUTH_FINGERPRINT_KEY is unset: created a random per-install key in $KEY_FILE (mode 0600, git-ignored)."
  fi
  OAUTH_FINGERPRINT_KEY="$(cat "$KEY_FILE")"
fi
export OAUTH_FINGERPRINT_KEY

for port in 4317 4318 8889 13133 8888; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "demo: port $port is already in use (another collector running?); stop it first." >&2
    exit 1
  fi
done

go build -o "$OUT/oauthgen" ./testbed/cmd/oauthgen

# The default config, with two demo settings on top: the debug exporter
# prints every record (so the findings are visible), and oauth_security
# tolerates concurrent refreshes (the generator plays them) within 100ms
# of its compressed time.
"$BIN" --config otelcol-config.yaml \
  --set exporters::debug::verbosity=detailed \
  --set processors::oauth_security::reuse_grace_period=100ms >"$LOG" 2>&1 &
COL=$!
GEN=
cleanup() {
  trap - INT TERM EXIT
  [ -n "$GEN" ] && kill "$GEN" 2>/dev/null || true
  if kill -0 "$COL" 2>/dev/null; then
    kill -TERM "$COL" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$COL" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$COL" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  echo
  echo "demo: collector stopped. Its log (debug output) stays in $LOG, the ground truth in $TRUTH."
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

for _ in $(seq 100); do
  curl -fsS http://localhost:13133/ >/dev/null 2>&1 && break
  kill -0 "$COL" 2>/dev/null || { echo "demo: the collector exited:"; tail -20 "$LOG"; exit 1; }
  sleep 0.2
done

cat <<MSG
demo: otelcol-oauth is running on otelcol-config.yaml (OTLP on localhost:4317/4318).
demo: the generator sends $RATE records/s for $DURATION: OAuth logins, refresh rotations,
      concurrent refreshes and retries, with one attack of each of the 12 variants per
      100 users (refresh reuse, code injection, state reuse, PKCE replay, mix-up, ...).
      Every secret is sent raw; the collector turns them into fp: fingerprints.

  Metrics:   curl -s localhost:8889/metrics | grep ^oauth_
             (oauth_security_events_total, oauth_token_refresh_total{status="reuse_detected"}, ...)
  Findings:  grep -n 'oauth.security.findings' $LOG
             (each annotated span and log record, printed by the debug exporter), and
             grep 'OAuth security finding' $LOG (the processor's own log line per finding)
  Truth:     $TRUTH (written when the generator stops)

  Ctrl-C stops everything.
MSG

"$OUT/oauthgen" -endpoint 127.0.0.1:4317 -rate "$RATE" -duration "$DURATION" -seed "$SEED" \
  -users 100 -attack-rate 0.12 -batch 50 -grace 100ms -metrics-every 20 -truth "$TRUTH" -quiet &
GEN=$!
wait "$GEN" || true
GEN=
sleep 3  # the metrics connector flushes every 15s by default; a first flush is enough here
for _ in 1 2 3 4 5; do
  curl -fsS localhost:8889/metrics 2>/dev/null | grep -q '^oauth_security_events_total' && break
  sleep 3
done
echo
echo "demo: security events exported to Prometheus (localhost:8889/metrics):"
curl -fsS localhost:8889/metrics 2>/dev/null | grep -E '^oauth_security_events_total' | sed 's/^/  /' || echo "  (none yet)"
echo "demo: records annotated with oauth.security.findings in the debug output: $(grep -c 'oauth.security.findings' "$LOG" || true)"
echo "demo: expected (ground truth): $(grep -c '"event_type"' "$TRUTH" 2>/dev/null || echo 0) attacks"
# Every raw secret the generator sends contains the marker below; the
# collector's output must contain none.
echo "demo: raw secrets in the debug output: $(grep -c "$(sed -n 's/.*"secret_marker": "\(.*\)".*/\1/p' "$TRUTH" 2>/dev/null || echo none)" "$LOG" || true)"
