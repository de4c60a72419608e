package oauthspanmetrics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/signaltometricsconnector"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// benchBatch builds one batch of n OAuth spans from 4 services: a realistic
// mix of flows (authorize + callback joined on oauth.state), refreshes,
// PKCE, revocations, discovery, registration and a few findings, each span
// with the usual HTTP attributes around the OAuth ones. seq makes the state
// fingerprints of each batch new, as in production.
func benchBatch(n, seq int) ptrace.Traces {
	td := ptrace.NewTraces()
	providers := []string{"github", "google", "okta", "auth0", "keycloak"}
	services := 4
	var spans [4]ptrace.SpanSlice
	for s := range services {
		rs := td.ResourceSpans().AppendEmpty()
		ra := rs.Resource().Attributes()
		ra.PutStr("service.name", fmt.Sprintf("svc-%d", s))
		ra.PutStr("service.instance.id", fmt.Sprintf("svc-%d-0", s))
		ra.PutStr("deployment.environment.name", "prod")
		ra.PutStr("telemetry.sdk.language", "go")
		ra.PutStr("telemetry.sdk.name", "opentelemetry")
		ra.PutStr("host.name", "host-1")
		spans[s] = rs.ScopeSpans().AppendEmpty().Spans()
	}
	base := time.Unix(1_700_000_000, 0)
	for i := range n {
		sp := spans[i%services].AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(seq), byte(seq >> 8), byte(i), byte(i >> 8), 1})
		sp.SetSpanID(pcommon.SpanID{byte(i), byte(i >> 8), byte(seq), 2})
		start := base.Add(time.Duration(i) * time.Millisecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(50+i%900) * time.Millisecond)))
		sp.SetKind(ptrace.SpanKindServer)
		a := sp.Attributes()
		a.PutStr("http.request.method", "POST")
		a.PutStr("url.path", "/oauth/token")
		a.PutInt("http.response.status_code", 200)
		a.PutStr("server.address", "auth.example.com")
		a.PutStr(contract.AttrClientID, "client-1")
		a.PutStr(contract.AttrProvider, providers[i%len(providers)])
		flow := fmt.Sprintf("fp:%d-%d", seq, i/2)
		set := func(op, status string) {
			sp.SetName(op)
			a.PutStr(contract.AttrOperation, op)
			a.PutStr(contract.AttrStatus, status)
		}
		switch i % 20 {
		case 0, 2:
			set(contract.OpAuthorize, contract.StatusInitiated)
			a.PutStr(contract.AttrState, flow)
		case 1, 3:
			set(contract.OpCallback, contract.StatusSuccess)
			a.PutStr(contract.AttrState, flow)
			a.PutInt(contract.AttrTokenExpiresIn, 3600)
		case 4, 5, 6, 7, 8, 9:
			set(contract.OpRefresh, contract.StatusSuccess)
			a.PutStr(contract.AttrReason, contract.ReasonNormal)
			a.PutStr(contract.AttrGrantType, "refresh_token")
			a.PutInt(contract.AttrTokenExpiresIn, 3600)
		case 10:
			set(contract.OpRefresh, contract.StatusFailure)
			a.PutStr(contract.AttrReason, contract.ReasonOwnershipFailed)
			a.PutStr(contract.AttrGrantType, "refresh_token")
			a.PutEmptySlice(contract.AttrSecurityFindings).AppendEmpty().SetStr(contract.EventOwnershipViolation)
			a.PutStr(contract.AttrSecurityEventType, contract.EventOwnershipViolation)
			a.PutStr(contract.AttrSecuritySeverity, contract.SeverityHigh)
		case 11:
			set(contract.OpToken, contract.StatusSuccess)
			a.PutStr(contract.AttrGrantType, "client_credentials")
			a.PutInt(contract.AttrTokenExpiresIn, 600)
		case 12, 13:
			set(contract.OpPKCECreate, contract.StatusSuccess)
			a.PutStr(contract.AttrState, flow+"-pkce")
		case 14, 15:
			set(contract.OpPKCEValidate, contract.StatusSuccess)
			a.PutStr(contract.AttrReason, contract.ReasonValid)
			a.PutStr(contract.AttrState, fmt.Sprintf("fp:%d-%d-pkce", seq, (i-2)/2))
		case 16:
			set(contract.OpRevoke, contract.StatusSuccess)
			a.PutStr(contract.AttrReason, contract.ReasonManual)
		case 17:
			set(contract.OpDiscovery, contract.StatusSuccess)
			a.PutStr(contract.AttrDiscoveryMethod, "rfc9728")
		case 18:
			set(contract.OpRegister, contract.StatusSuccess)
		case 19:
			set(contract.OpPKCECleanup, contract.StatusSuccess)
			a.PutStr(contract.AttrReason, contract.ReasonExpired)
		}
	}
	return td
}

const benchBatchSize = 1000

func benchBatches() []ptrace.Traces {
	batches := make([]ptrace.Traces, 64)
	for i := range batches {
		batches[i] = benchBatch(benchBatchSize, i)
	}
	return batches
}

func runBench(b *testing.B, c connector.Traces) {
	batches := benchBatches()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.ConsumeTraces(context.Background(), batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)*benchBatchSize/b.Elapsed().Seconds(), "spans/s")
}

// BenchmarkConsumeTraces compares this connector with contrib's
// signal_to_metrics configured for the same stateless metrics
// (testdata/bench/signaltometrics.yaml), on the same batches, in the same
// run. Run with -cpu 1.
func BenchmarkConsumeTraces(b *testing.B) {
	b.Run("impl=oauth_span_metrics", func(b *testing.B) {
		set := connectortest.NewNopSettings(metadata.Type)
		set.ID = component.MustNewIDWithName(metadata.Type.String(), "bench")
		// Both sides, as in the shipped config: spans are remembered so their
		// log lines are not counted twice, and that work is measured too.
		cfg := createDefaultConfig()
		c, err := NewFactory().CreateTracesToMetrics(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(b, err)
		l, err := NewFactory().CreateLogsToMetrics(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(b, err)
		runBench(b, c)
		require.NoError(b, c.Shutdown(context.Background()))
		require.NoError(b, l.Shutdown(context.Background()))
	})
	b.Run("impl=signal_to_metrics", func(b *testing.B) {
		runBench(b, newSignalToMetrics(b))
	})
}

// BenchmarkFlush is the cost of one flush after the batches of
// BenchmarkConsumeTraces (4 services, every series): paid once per
// flush_interval, not per span.
func BenchmarkFlush(b *testing.B) {
	st := newState(createDefaultConfig().(*Config), time.Now)
	for _, td := range benchBatches() {
		st.consumeTraces(td)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st.expire(time.Now().UnixNano())
		_ = st.build(1, 2)
	}
}

func newSignalToMetrics(tb testing.TB) connector.Traces {
	raw, err := os.ReadFile(filepath.Join("testdata", "bench", "signaltometrics.yaml"))
	require.NoError(tb, err)
	var m map[string]any
	require.NoError(tb, yaml.Unmarshal(raw, &m))
	f := signaltometricsconnector.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(tb, confmap.NewFromStringMap(m).Unmarshal(cfg))
	require.NoError(tb, confmap.Validate(cfg))
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
	require.NoError(tb, err)
	return c
}

// TestBenchPeersCountAlike checks that the benchmark compares like with like:
// on one batch both connectors count the same flows and refreshes.
func TestBenchPeersCountAlike(t *testing.T) {
	td := benchBatch(benchBatchSize, 0)
	sink := &consumertest.MetricsSink{}
	f := signaltometricsconnector.NewFactory()
	raw, err := os.ReadFile(filepath.Join("testdata", "bench", "signaltometrics.yaml"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &m))
	cfg := f.CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(m).Unmarshal(cfg))
	peer, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, peer.ConsumeTraces(context.Background(), td))
	theirs := sink.AllMetrics()[0]

	h := newHarness(t, defaultConfig(), "peers", nil, nil)
	require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	ours := h.flush()

	for _, name := range []string{
		contract.MetricFlowsTotal, contract.MetricTokenRefreshTotal, contract.MetricPKCEValidationsTotal,
		contract.MetricSecurityEventsTotal, contract.MetricTokenExchangesTotal,
	} {
		require.Equal(t, total(theirs.ResourceMetrics(), name), total(ours.ResourceMetrics(), name), name)
	}
}
