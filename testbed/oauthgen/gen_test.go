package oauthgen

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func small(seed uint64) Config {
	return Config{Seed: seed, UsersPerShard: 120, AttackRate: 0.2, Shards: 2, BatchSize: 200, Rate: 5000, Start: t0, MetricsEvery: 3}
}

func drain(t *testing.T, g *Generator) []Payload {
	t.Helper()
	var out []Payload
	for {
		r, ok := g.Next()
		if !ok {
			return out
		}
		p, err := Marshal(r)
		require.NoError(t, err)
		out = append(out, p)
	}
}

func TestDeterministicForSeed(t *testing.T) {
	a, b := New(small(7)), New(small(7))
	pa, pb := drain(t, a), drain(t, b)
	require.Equal(t, len(pa), len(pb))
	for i := range pa {
		require.True(t, bytes.Equal(pa[i].Body, pb[i].Body), "request %d differs", i)
	}
	assert.Equal(t, a.Truth().Attacks, b.Truth().Attacks)
	assert.Equal(t, a.Truth().ExpectedMetrics, b.Truth().ExpectedMetrics)

	c := New(small(8))
	pc := drain(t, c)
	assert.False(t, len(pc) == len(pa) && bytes.Equal(pa[0].Body, pc[0].Body), "another seed gives the same stream")
}

// TestTruthMatchesEmitted checks the ground truth against the requests:
// record counts, and every expected finding names a trace that was sent.
func TestTruthMatchesEmitted(t *testing.T) {
	g := New(small(3))
	var spans, logs, points int
	traces := map[string]bool{}
	ops := map[string]int{}
	for {
		r, ok := g.Next()
		if !ok {
			break
		}
		switch r.Signal {
		case Traces:
			spans += r.Traces.SpanCount()
			assert.Equal(t, r.Records, r.Traces.SpanCount())
			eachSpan(r.Traces, func(sp ptrace.Span) {
				traces[sp.TraceID().String()] = true
				if op, ok := sp.Attributes().Get(contract.AttrOperation); ok {
					ops[op.Str()]++
				}
			})
		case Logs:
			logs += r.Logs.LogRecordCount()
			assert.Equal(t, r.Records, r.Logs.LogRecordCount())
			eachLog(r.Logs, func(lr plog.LogRecord) { traces[lr.TraceID().String()] = true })
		case Metrics:
			points += r.Metrics.DataPointCount()
		}
	}
	tr := g.Truth()
	assert.Equal(t, tr.Spans, spans)
	assert.Equal(t, tr.Logs, logs)
	assert.Equal(t, tr.DataPoints, points)
	assert.Equal(t, 2, tr.Shards)
	require.Len(t, tr.Attacks, 2*24, "0.2 attacks per user, 120 users, 2 shards")
	variants := map[string]bool{}
	for _, a := range tr.Attacks {
		assert.True(t, traces[a.TraceID], "attack trace %s was not emitted", a.TraceID)
		variants[a.Variant] = true
		f, ok := contract.LookupFinding(a.EventType)
		assert.True(t, ok)
		assert.Equal(t, f.Severity, a.Severity)
	}
	assert.Len(t, variants, len(scenario.Variants), "every attack variant is injected")
	assert.Equal(t, float64(ops[contract.OpPKCECreate]), tr.ExpectedMetrics[contract.MetricPKCEStatesCreatedTotal])
	var flows float64
	for k, v := range tr.ExpectedMetrics {
		if strings.HasPrefix(k, contract.MetricFlowsTotal+"{") {
			flows += v
		}
	}
	assert.Equal(t, float64(ops[contract.OpAuthorize]+ops[contract.OpCallback]), flows)
}

func eachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		ss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < ss.Len(); j++ {
			for k := 0; k < ss.At(j).Spans().Len(); k++ {
				f(ss.At(j).Spans().At(k))
			}
		}
	}
}

func eachLog(ld plog.Logs, f func(plog.LogRecord)) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sl := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sl.Len(); j++ {
			for k := 0; k < sl.At(j).LogRecords().Len(); k++ {
				f(sl.At(j).LogRecords().At(k))
			}
		}
	}
}

// TestSecretsInEveryPosition checks that raw secrets are placed in every
// position of the contract, that every secret attribute carries a raw
// secret (never a fingerprint), and that every raw secret carries Marker.
func TestSecretsInEveryPosition(t *testing.T) {
	g := New(small(5))
	payloads := drain(t, g)
	for _, p := range []string{
		"attribute:" + contract.AttrRefreshToken, "attribute:" + contract.AttrCode, "attribute:" + contract.AttrState,
		"attribute:" + contract.AttrCodeVerifier, "attribute:" + contract.AttrDPoPJTI, "client_secret attribute",
		"url.full query", "http.target fragment", "http.url query", "form body", "JSON body", "authorization header",
		"authorization header slice", "cookie header", "set-cookie header slice", "nested map", "span name",
		"status message", "span event name", "span event attributes", "span link attributes", "resource attributes",
		"scope attributes", "log body string", "log body JSON text", "log body map", "log body slice, nested",
		"data-point attributes", "exemplar attributes", "url.query", "proxy-authorization header", "URL in any attribute",
		"attribute:oauth.client_secret",
	} {
		assert.Positive(t, g.Truth().Secrets[p], "no raw secret in position %q", p)
	}
	var all []byte
	for _, p := range payloads {
		all = append(all, p.Body...)
	}
	assert.Greater(t, bytes.Count(all, []byte(Marker)), 1000)
	// Fingerprints of the scenario never leave the generator: the collector
	// must see raw secrets.
	assert.NotContains(t, string(all), contract.FingerprintPrefix)

	src := newSecretSource(1)
	for _, kind := range []string{KindRefresh, KindAccess, KindCode, KindState, KindVerifier, KindIDToken, KindClientSecret, KindAssertion, KindCookie, KindDPoPJTI, KindPAT} {
		for _, prov := range []string{"github", "google", "authplane", ""} {
			s := src.raw(kind, prov, "x")
			assert.Contains(t, s, Marker, "%s/%s", kind, prov)
			assert.Equal(t, s, src.raw(kind, prov, "x"))
			assert.NotEqual(t, s, src.raw(kind, prov, "y"))
		}
	}
	assert.Len(t, src.raw(KindVerifier, "", "v"), 43, "a PKCE verifier is 43 characters")
}

// TestPipelineFindsEveryAttack runs the stream through oauth_redact and
// oauth_security in process, on the wall clock like the collector: the
// compressed timestamps keep the scenario's relations, every attack is
// found, nothing else, and no raw secret survives redaction.
func TestPipelineFindsEveryAttack(t *testing.T) {
	const key = "testbed-unit-test-key-0123456789abcdef"
	cfg := small(11)
	cfg.Start = time.Now()
	g := New(cfg)

	rf := oauthredact.NewFactory()
	rcfg := rf.CreateDefaultConfig().(*oauthredact.Config)
	rcfg.FingerprintKey = key
	sf := oauthsecurity.NewFactory()
	scfg := sf.CreateDefaultConfig().(*oauthsecurity.Config)
	scfg.FingerprintKey = key
	scfg.ReuseGracePeriod = g.Config().GracePeriod
	ctx := context.Background()
	set := func(f processor.Factory) processor.Settings { return processortest.NewNopSettings(f.Type()) }

	tsink, lsink := new(consumertest.TracesSink), new(consumertest.LogsSink)
	secT, err := sf.CreateTraces(ctx, set(sf), scfg, tsink)
	require.NoError(t, err)
	secL, err := sf.CreateLogs(ctx, set(sf), scfg, lsink)
	require.NoError(t, err)
	redT, err := rf.CreateTraces(ctx, set(rf), rcfg, secT)
	require.NoError(t, err)
	redL, err := rf.CreateLogs(ctx, set(rf), rcfg, secL)
	require.NoError(t, err)
	// As in the default config: the vocabulary layer maps the Pino and audit
	// reports onto the contract before redaction and detection.
	nf := oauthnormalize.NewFactory()
	normT, err := nf.CreateTraces(ctx, set(nf), nf.CreateDefaultConfig(), redT)
	require.NoError(t, err)
	normL, err := nf.CreateLogs(ctx, set(nf), nf.CreateDefaultConfig(), redL)
	require.NoError(t, err)
	host := componenttest.NewNopHost()
	for _, c := range []interface {
		Start(context.Context, component.Host) error
	}{secT, secL, redT, redL, normT, normL} {
		require.NoError(t, c.Start(ctx, host))
	}
	defer func() {
		for _, c := range []interface{ Shutdown(context.Context) error }{normT, normL, redT, redL, secT, secL} {
			require.NoError(t, c.Shutdown(ctx))
		}
	}()

	scorer := scenario.NewScorer()
	leaks := 0
	for {
		r, ok := g.Next()
		if !ok {
			break
		}
		switch r.Signal {
		case Traces:
			require.NoError(t, normT.ConsumeTraces(ctx, r.Traces))
		case Logs:
			require.NoError(t, normL.ConsumeLogs(ctx, r.Logs))
		}
	}
	for _, td := range tsink.AllTraces() {
		scorer.Traces(td)
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		leaks += bytes.Count(b, []byte(Marker))
	}
	for _, ld := range lsink.AllLogs() {
		scorer.Logs(ld)
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		leaks += bytes.Count(b, []byte(Marker))
	}
	s := scorer.Score(g.Truth().ScenarioAttacks())
	t.Logf("TP %d FP %d FN %d precision %.3f recall %.3f", s.TruePositives, s.FalsePositives, s.FalseNegatives, s.Precision, s.Recall)
	assert.Empty(t, s.Unexpected)
	assert.Equal(t, len(g.Truth().Attacks), s.TruePositives)
	assert.Zero(t, leaks, "raw secrets after oauth_redact")
}

func TestScenarioAttacksRoundTrip(t *testing.T) {
	g := New(small(2))
	drain(t, g)
	sc := g.Truth().ScenarioAttacks()
	require.Len(t, sc.Attacks, len(g.Truth().Attacks))
	for i, a := range sc.Attacks {
		assert.Equal(t, g.Truth().Attacks[i].TraceID, hex.EncodeToString(a.TraceID[:]))
		assert.NotEqual(t, pcommon.TraceID{}, a.TraceID)
	}
}
