#!/usr/bin/env bash
# make run: waits until the collector started by the Makefile is healthy, then
# says where to point an app, where the metrics are and how to stop it.
# $1 is the collector's pid (the Makefile's shell, which execs the binary);
# the watcher ends with it. Addresses are those of otelcol-config.yaml.
set -uo pipefail

pid=$1
health=http://localhost:13133/
deadline=$(( $(date +%s) + 120 ))

while kill -0 "$pid" 2>/dev/null; do
  if curl -fsS -o /dev/null --max-time 1 "$health" 2>/dev/null; then
    cat >&2 <<MSG

otelcol-oauth is running (pid $pid) on otelcol-config.yaml. Point an app at it:
  OTLP gRPC  localhost:4317          OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 OTEL_EXPORTER_OTLP_PROTOCOL=grpc
  OTLP HTTP  http://localhost:4318   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318
OAuth metrics for Prometheus:  curl -s http://localhost:8889/metrics | grep ^oauth_
Collector's own metrics:       http://localhost:8888/metrics    health: $health
Spans and logs are printed below by the debug exporter.
Stop: Ctrl-C (or kill $pid).

MSG
    exit 0
  fi
  if (( $(date +%s) > deadline )); then
    echo "make run: the collector is not healthy at $health after 120 s" >&2
    exit 1
  fi
  sleep 0.2
done
