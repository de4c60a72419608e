//go:build integration

package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/kcstory"
)

// joinConfig: OTLP/HTTP -> oauth_normalize (a join wait of five minutes) ->
// an OTLP/gRPC exporter without a queue into sink, own metrics on own.
func joinConfig(otlp, health, own int, sink string) string {
	return fmt.Sprintf(`extensions:
  health_check:
    endpoint: 127.0.0.1:%d
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  oauth_normalize:
    join:
      wait: 5m
exporters:
  otlp_grpc:
    endpoint: %s
    tls:
      insecure: true
    sending_queue:
      enabled: false
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    traces:
      receivers: [otlp]
      processors: [oauth_normalize]
      exporters: [otlp_grpc]
`, health, otlp, sink, own)
}

// TestJoinShutdownReleasesHeld: the real binary holds Keycloak 26.3 event
// spans whose root has not come (the held gauge says how many), passes a
// request whose root came at once, mapped, and on SIGTERM passes every
// held span on, once, unmapped: the spans out are the spans in.
func TestJoinShutdownReleasesHeld(t *testing.T) {
	story, err := kcstory.Load(testutil.RepoRoot(t))
	require.NoError(t, err)
	sink := testutil.StartOTLPSink(t, nil)
	otlp, health, own := testutil.FreePort(t), testutil.FreePort(t), testutil.FreePort(t)
	c := testutil.Start(t, testutil.WriteConfig(t, joinConfig(otlp, health, own, sink.GRPCAddr)))
	c.WaitHealthy(fmt.Sprintf("http://127.0.0.1:%d/", health), 60*time.Second)

	// The first 26.3 request that makes a record goes through whole; of
	// every other one, the event span alone (its root never comes), one
	// OTLP request each.
	var held, whole int
	now := pcommon.NewTimestampFromTime(time.Now())
	for i, r := range story.Requests {
		td, spans := story.NewBatch()
		if r.Layout != "internal" || r.Event == nil || len(r.Want) == 0 {
			continue
		}
		if whole == 0 {
			r.Build(0, i, now, spans, spans)
			whole = 2
		} else {
			_, roots := story.NewBatch()
			r.Build(0, i, now, roots, spans)
			held++
		}
		body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		require.NoError(t, err)
		postOTLP(t, otlp, "/v1/traces", body)
	}
	require.Positive(t, held)
	require.Equal(t, 2, whole)

	metrics := fmt.Sprintf("http://127.0.0.1:%d/metrics", own)
	require.Eventually(t, func() bool {
		return scrapeSum(metrics, "otelcol_processor_oauth_normalize_join_held_spans", "") == float64(held)
	}, 30*time.Second, 100*time.Millisecond, "the held gauge")
	require.Eventually(t, func() bool { return len(sink.Spans()) == whole }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(500 * time.Millisecond) // nothing else comes out while held
	require.Len(t, sink.Spans(), whole, "only the request whose root came")

	require.NoError(t, c.Stop(30*time.Second))
	out := sink.Spans()
	require.Len(t, out, whole+held, "every span out once")
	seen := map[string]bool{}
	var mapped int
	for _, s := range out {
		key := s.TraceID().String() + s.SpanID().String()
		assert.False(t, seen[key], "a span came out twice")
		seen[key] = true
		if _, ok := s.Attributes().Get("oauth.operation"); ok {
			mapped++
			assert.Equal(t, ptrace.SpanKindServer, s.Kind())
		}
	}
	assert.Equal(t, 1, mapped, "the released spans pass unmapped")
	assert.Empty(t, c.ErrorLines())
}

// scrapeSum sums the samples of name (with label reason = reason when
// given) on a Prometheus endpoint; -1 when it cannot be read.
func scrapeSum(url, name, reason string) float64 {
	samples, err := testutil.ScrapeMetrics(url)
	if err != nil {
		return -1
	}
	var sum float64
	for _, s := range samples {
		if s.Name == name && (reason == "" || s.Labels["reason"] == reason) {
			sum += s.Value
		}
	}
	return sum
}
