package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

func genPayloads(t *testing.T) (*oauthgen.Generator, []oauthgen.Request, []oauthgen.Payload) {
	t.Helper()
	g := oauthgen.New(oauthgen.Config{Seed: 4, UsersPerShard: 60, AttackRate: 0.2, BatchSize: 100, MetricsEvery: 2, Start: time.Unix(1_800_000_000, 0)})
	var reqs []oauthgen.Request
	var ps []oauthgen.Payload
	for {
		r, ok := g.Next()
		if !ok {
			break
		}
		p, err := oauthgen.Marshal(r)
		require.NoError(t, err)
		reqs = append(reqs, r)
		ps = append(ps, p)
	}
	return g, reqs, ps
}

func TestCountRecordsMatchesPdata(t *testing.T) {
	_, reqs, ps := genPayloads(t)
	for i, r := range reqs {
		want := 0
		switch r.Signal {
		case oauthgen.Traces:
			want = r.Traces.SpanCount()
		case oauthgen.Logs:
			want = r.Logs.LogRecordCount()
		default:
			want = r.Metrics.DataPointCount()
		}
		require.Equal(t, want, CountRecords(ps[i].Signal, ps[i].Body), "request %d (%s)", i, r.Signal)
	}
}

// TestSinkCountsLeaksAndFindings sends payloads over OTLP/HTTP and gRPC:
// the sink counts every record, finds the raw secrets of an unredacted
// stream, and scores annotated findings.
func TestSinkCountsLeaksAndFindings(t *testing.T) {
	g, reqs, ps := genPayloads(t)
	// Annotate the first attack's first span as the security processor would.
	attack := g.Truth().Attacks[0]
	annotated := false
	for i, r := range reqs {
		if r.Signal != oauthgen.Traces || annotated {
			continue
		}
		rs := r.Traces.ResourceSpans()
		for a := 0; a < rs.Len() && !annotated; a++ {
			spans := rs.At(a).ScopeSpans().At(0).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				if sp.TraceID().String() == attack.TraceID {
					sp.Attributes().PutEmptySlice(contract.AttrSecurityFindings).AppendEmpty().SetStr(attack.EventType)
					annotated = true
					p, err := oauthgen.Marshal(r)
					require.NoError(t, err)
					ps[i] = p
					break
				}
			}
		}
	}
	require.True(t, annotated)
	for _, proto := range []string{"http", "grpc"} {
		sink, err := NewSink()
		require.NoError(t, err)
		addr := sink.HTTPAddr
		if proto == "grpc" {
			addr = sink.GRPCAddr
		}
		s, err := oauthgen.NewSender(oauthgen.SenderConfig{Endpoint: addr, Protocol: proto})
		require.NoError(t, err)
		st := s.Run(t.Context(), &oauthgen.SliceSource{Payloads: ps})
		s.Close()
		require.Zero(t, st.Failed, st.LastError)
		c := sink.Counts()
		tr := g.Truth()
		assert.Equal(t, int64(tr.Spans), c.Spans, proto)
		assert.Equal(t, int64(tr.Logs), c.Logs, proto)
		assert.Equal(t, int64(tr.DataPoints), c.DataPoints, proto)
		assert.Equal(t, st.Accepted, c.Records(), proto)
		assert.Greater(t, c.Leaks, int64(100), "an unredacted stream leaks")
		assert.NotEmpty(t, sink.LeakPositions())
		for _, p := range sink.LeakPositions() {
			assert.NotContains(t, p, oauthgen.Marker, "positions name keys, never values")
		}
		sc := sink.Score(tr.ScenarioAttacks())
		assert.Equal(t, 1, sc.TruePositives, proto)
		assert.Zero(t, sc.FalsePositives, proto)
		sink.Close()
	}
}

func TestCompareMetrics(t *testing.T) {
	exp := map[string]float64{
		oauthgen.MetricKey(contract.MetricFlowsTotal, "provider", "github", "status", "success"):      3,
		oauthgen.MetricKey(contract.MetricCodeInjectionAttemptsTotal):                                 2,
		oauthgen.MetricKey(contract.MetricTokenRefreshTotal, "status", "success", "reason", "normal"): 5,
	}
	scrape := []byte(`# HELP oauth_flows_total x
# TYPE oauth_flows_total counter
oauth_flows_total{instance="a",job="b",provider="github",status="success"} 1
oauth_flows_total{instance="c",job="b",provider="github",status="success"} 2
oauth_code_injection_attempts_total{job="x"} 2
oauth_token_refresh_total{oauth_status="success",oauth_reason="normal",service_name="s"} 4
`)
	n, mm := CompareMetrics(exp, scrape)
	assert.Equal(t, 3, n)
	require.Len(t, mm, 1)
	assert.Contains(t, mm[0], "want 5 got 4")
	assert.Equal(t, 2.0, scrapeValue(scrape, contract.MetricCodeInjectionAttemptsTotal))
	assert.Zero(t, scrapeValue(scrape, "code_injection"), "names match exactly, not by substring")
}

func TestConfigsRender(t *testing.T) {
	for _, sc := range []string{Passthrough, Full, Upstream, Memory} {
		c, err := Config(sc, Ports{GRPC: 1, HTTP: 2, Health: 3, Prom: 4, Telemetry: 5, Sink: "127.0.0.1:6"}, 10*time.Millisecond, 100)
		require.NoError(t, err, sc)
		assert.Contains(t, c, "endpoint: 127.0.0.1:1", sc)
		assert.Contains(t, c, "http://127.0.0.1:6", sc)
		assert.NotContains(t, c, "<no value>", sc)
		assert.NotContains(t, c, "0.0.0.0", sc, "loopback only")
	}
	c, _ := Config(Upstream, Ports{Prom: 4}, time.Second, 1)
	assert.Contains(t, c, "hmac-sha256")
	assert.Contains(t, c, "signal_to_metrics:\n    error_mode: ignore")
	assert.True(t, strings.Contains(c, "    logs:\n        - name: oauth_flows_total"), "log rules")
}

func TestMarkdownRenders(t *testing.T) {
	one := 1.0
	rep := &Report{Host: map[string]string{}, Options: map[string]any{}, Traffic: map[string]any{},
		Runs:      []RunResult{{Scenario: Full, Mode: "max", Precision: &one, Recall: 1, Complete: true, MetricsChecked: 2}},
		Ratios:    []Ratio{{Mode: "max", What: "full OAuth / passthrough", CPU: 1.2}},
		Memory:    &MemoryResult{Families: 10},
		LeakTotal: map[string]int64{Full: 0}}
	md := Markdown(rep)
	assert.Contains(t, md, "| oauth | max |")
	assert.Contains(t, md, "upstream-only pipeline cannot detect attacks")
}

// TestRatiosUseMediansOfRounds: each round's runs are compared with each
// other, and one disturbed round does not decide the ratio.
func TestRatiosUseMediansOfRounds(t *testing.T) {
	run := func(sc string, round int, perRecord float64) RunResult {
		return RunResult{Scenario: sc, Mode: "max", Round: round, CPUPerRecord: perRecord, CPUSeconds: 2 * perRecord}
	}
	runs := []RunResult{
		run(Passthrough, 1, 5), run(Full, 1, 9), // a disturbed round
		run(Passthrough, 2, 5), run(Full, 2, 6),
		run(Passthrough, 3, 4), run(Full, 3, 5.6),
	}
	rs := ratios(runs)
	require.Len(t, rs, 1)
	assert.Equal(t, "full OAuth / passthrough", rs[0].What)
	assert.Equal(t, []float64{9.0 / 5, 6.0 / 5, 5.6 / 4}, rs[0].PerRound)
	assert.InDelta(t, 1.4, rs[0].PerRecord, 1e-9, "median of 1.8, 1.2, 1.4")
	assert.InDelta(t, 1.4, rs[0].CPU, 1e-9)
	assert.InDelta(t, 2.5, median([]RunResult{run(Full, 1, 2), run(Full, 2, 3)}, func(r RunResult) float64 { return r.CPUPerRecord }), 1e-9)
}
