//go:build faults

package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// Overload: the generator offers three times the rate the default config
// sustained in a calibration run, for 30 s, with 16 concurrent senders.
// memory_limiter refuses data while the Go heap is over its soft limit; the
// OTLP clients get retryable errors (gRPC Unavailable), retry, and nothing
// is lost: every span and log record the generator handed out leaves the
// pipeline (counted by the collector's own metrics against ground truth). The
// process's RSS is sampled from /proc and its peak reported.
//
// The shipped memory_limiter percentages are of the machine's memory (24 GiB
// here: a 19 GiB limit a 30 s test never reaches); the test sets limit_mib
// 100 / spike_limit_mib 20, as a small container's limit would, so that the
// limiter acts.
func TestOverloadMemoryLimiter(t *testing.T) {
	const limitMiB = 100
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "otelcol-config.yaml"))
	require.NoError(t, err)
	cfg := string(raw)
	shipped := "    limit_percentage: 80\n    spike_limit_percentage: 20\n"
	require.Contains(t, cfg, shipped, "otelcol-config.yaml: memory_limiter settings changed")
	cfg = strings.Replace(cfg, shipped, fmt.Sprintf("    limit_mib: %d\n    spike_limit_mib: %d\n", limitMiB, limitMiB/5), 1)
	cfg = strings.Replace(cfg, "service:\n", "service:\n  telemetry:\n    metrics:\n      level: detailed\n      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: localhost\n                port: 8888\n", 1)
	cfg, ports := testutil.OnFreePorts(t, cfg)
	// port: 8888 is not host:port; move it by hand.
	own := testutil.FreePort(t)
	cfg = strings.Replace(cfg, "port: 8888", fmt.Sprintf("port: %d", own), 1)
	col := testutil.Start(t, testutil.WriteConfig(t, cfg))
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", ports["13133"]), 60*time.Second)
	metrics := fmt.Sprintf("http://localhost:%d/metrics", own)

	// RSS sampler.
	var peakRSS int64
	var samples int
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for range 3000 { // at most 300 s
			select {
			case <-stop:
				return
			case <-tick.C:
				if m, err := testutil.ReadMemory(col.PID()); err == nil {
					peakRSS = max(peakRSS, m.RSS, m.Peak)
					samples++
				}
			}
		}
	})

	gt := newGroundTruth(oauthgen.Config{Seed: 3, AttackRate: -1, MetricsEvery: -1, Records: 1 << 24}, oauthgen.Traces, oauthgen.Logs)
	endpoint := fmt.Sprintf("localhost:%d", ports["4317"])
	run := func(rate float64, workers int, d time.Duration) oauthgen.Stats {
		s, err := oauthgen.NewSender(oauthgen.SenderConfig{Endpoint: endpoint, Rate: rate, Workers: workers, Duration: d, MaxRetries: 400, Timeout: 20 * time.Second})
		require.NoError(t, err)
		defer s.Close()
		return s.Run(context.Background(), gt)
	}
	// Calibration: as fast as the collector accepts, 4 senders, 8 s.
	cal := run(0, 4, 8*time.Second)
	sustainable := cal.Rate()
	require.Zero(t, cal.Failed, cal.LastError)
	// Overload: 3x that, 16 senders, 30 s.
	over := run(3*sustainable, 16, 30*time.Second)
	close(stop)
	wg.Wait()

	refusedSpans := scrape(metrics, "otelcol_receiver_refused_spans")
	refusedLogs := scrape(metrics, "otelcol_receiver_refused_log_records")
	heapNow := scrape(metrics, "otelcol_process_runtime_heap_alloc_bytes")
	t.Logf("overload: sustainable %.0f records/s (calibration); offered %.0f/s for 30s with 16 senders, accepted %.0f/s; %d records handed out, %d client retries, %d failed; refused by the collector: %v spans, %v log records",
		sustainable, 3*sustainable, over.Rate(), gt.records(), over.Retries, over.Failed, refusedSpans, refusedLogs)
	t.Logf("overload: RSS peak %.0f MiB (%d samples; memory_limiter limit %d MiB of Go heap), heap after %.0f MiB; last client error: %.200s",
		float64(peakRSS)/(1<<20), samples, limitMiB, heapNow/(1<<20), over.LastError)

	assert.Zero(t, over.Failed, "records given up by the client: %s", over.LastError)
	assert.Positive(t, over.Retries, "the overload produced no retryable error")
	assert.Positive(t, refusedSpans+refusedLogs, "memory_limiter never refused data")
	assert.Less(t, peakRSS, int64(1<<30), "RSS peak above 1 GiB")

	// Everything handed out leaves the pipeline.
	wantSpans, wantLogs := float64(sumCounts(gt.spans)), float64(sumCounts(gt.logs))
	var outSpans, outLogs float64
	for i := 0; i < 100; i++ { // at most 20 s
		// Spans: what the debug exporter (the pipeline's end) sent. Logs: it
		// also gets the findings' records, so the app logs are counted at the
		// logs pipeline's last processor.
		outSpans = scrape(metrics, "otelcol_exporter_sent_spans", "exporter", "debug")
		outLogs = scrape(metrics, "otelcol_processor_outgoing_items", "otel_signal", "logs", "processor", "oauth_security")
		if outSpans >= wantSpans && outLogs >= wantLogs {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("overload: spans sent %.0f, out of the pipeline %.0f (lost %.0f, duplicates %.0f); logs sent %.0f, out %.0f (lost %.0f, duplicates %.0f)",
		wantSpans, outSpans, max(0, wantSpans-outSpans), max(0, outSpans-wantSpans), wantLogs, outLogs, max(0, wantLogs-outLogs), max(0, outLogs-wantLogs))
	assert.GreaterOrEqual(t, outSpans, wantSpans, "spans lost")
	assert.GreaterOrEqual(t, outLogs, wantLogs, "log records lost")
	require.False(t, col.Exited(), "the collector died")
	require.NoError(t, col.Stop(60*time.Second))
	assert.NotContains(t, col.Output(), "panic")
}
