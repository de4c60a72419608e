package oauthgen

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics"
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity"
)

func hydraConfig(seed uint64) Config {
	return Config{Seed: seed, Traffic: TrafficHydra, Records: 30_000, BatchSize: 120, AttackRate: 0.2, Rate: 5000, Start: time.Now()}
}

// TestHydraTrafficShape checks the stream against its own truth: every
// span is counted, requests are cut so that some requests' children arrive
// before their root in an earlier OTLP request, every root arrives, the
// raw signatures carry Marker, and the same seed gives the same stream.
func TestHydraTrafficShape(t *testing.T) {
	g := New(hydraConfig(4))
	var spans int
	roots := map[pcommon.SpanID]int{} // root span → request index
	var early int                     // children sent in a request before their root's
	childAt := map[pcommon.SpanID]int{}
	parentOf := map[pcommon.SpanID]pcommon.SpanID{}
	rootSent := map[string]bool{}
	remote, migrationAt := 0, -1
	var all []byte
	for i := 0; ; i++ {
		r, ok := g.Next()
		if !ok {
			break
		}
		require.Equal(t, Traces, r.Signal, "Hydra sends traces only")
		require.Equal(t, r.Records, r.Traces.SpanCount())
		spans += r.Records
		eachSpan(r.Traces, func(sp ptrace.Span) {
			if sp.Kind() == ptrace.SpanKindServer || sp.ParentSpanID().IsEmpty() { // a request root, or the migrations'
				if !sp.ParentSpanID().IsEmpty() {
					remote++
					assert.Equal(t, uint32(flagsHasIsRemote|flagsIsRemote), sp.Flags(), "a request root's parent is remote")
				}
				assert.Equal(t, ptrace.StatusCodeUnset, sp.Status().Code(), "Hydra leaves its roots UNSET below 500")
				_, hasRoute := sp.Attributes().Get("http.route")
				assert.False(t, hasRoute)
				roots[sp.SpanID()] = i
				if sp.Name() == "migration-up" {
					migrationAt = i
				}
				rootSent[sp.TraceID().String()] = true
			} else {
				childAt[sp.SpanID()] = i
				parentOf[sp.SpanID()] = sp.ParentSpanID()
			}
		})
		p, err := Marshal(r)
		require.NoError(t, err)
		all = append(all, p.Body...)
		// The truth so far names only requests whose root was sent.
		for _, a := range append(append([]AttackTruth(nil), g.Truth().Attacks...), g.Truth().Unflagged...) {
			require.True(t, rootSent[a.TraceID], "request %d: an attack in the truth before its root was sent", i)
		}
	}
	tr := g.Truth()
	assert.Equal(t, tr.Spans, spans)
	assert.GreaterOrEqual(t, spans, 30_000)
	// The top-level children name their root: all roots arrived, some later.
	for id, at := range childAt {
		if root, ok := roots[parentOf[id]]; ok && root > at {
			early++
		}
	}
	assert.Positive(t, early, "no request's root came in a later OTLP request than its children")
	assert.GreaterOrEqual(t, migrationAt, 2, "Hydra's start-up migrations (about 1000 spans) come first, their root after two full export requests")
	assert.Positive(t, remote, "no request root with a remote parent (a client that sent traceparent)")
	for id := range childAt {
		if at, ok := childAt[parentOf[id]]; ok {
			assert.LessOrEqual(t, childAt[id], at, "a span sent after its parent (Hydra exports a span when it ends)")
		}
		p := parentOf[id]
		for {
			if _, ok := roots[p]; ok {
				break
			}
			next, ok := parentOf[p]
			require.True(t, ok, "a span whose root was never sent")
			p = next
		}
	}
	assert.Positive(t, tr.Secrets["attribute:"+contract.AttrHydraRefreshTokenSignature])
	assert.Positive(t, tr.Secrets["attribute:"+contract.AttrHydraAccessTokenSignature])
	assert.Greater(t, bytes.Count(all, []byte(Marker)), 1000)
	variants := map[string]int{}
	for _, a := range append(append([]AttackTruth(nil), tr.Attacks...), tr.Unflagged...) {
		variants[a.Variant]++
	}
	for _, v := range hydraVariants {
		assert.Positive(t, variants[v], v)
	}

	b := New(hydraConfig(4))
	b.cfg.Start = g.cfg.Start
	var again []byte
	for {
		r, ok := b.Next()
		if !ok {
			break
		}
		p, err := Marshal(r)
		require.NoError(t, err)
		again = append(again, p.Body...)
	}
	assert.True(t, bytes.Equal(all, again), "the same seed gives another stream")
}

// hydraPipeline is oauth_normalize → oauth_redact → oauth_security →
// oauth_span_metrics in process, as the shipped traces pipeline runs them.
type hydraPipeline struct {
	in interface {
		ConsumeTraces(context.Context, ptrace.Traces) error
	}
	traces  *consumertest.TracesSink
	metrics *consumertest.MetricsSink
	comps   []component.Component
}

func newHydraPipeline(t *testing.T) *hydraPipeline {
	const key = "testbed-unit-test-key-0123456789abcdef"
	ctx := context.Background()
	set := func(f processor.Factory) processor.Settings { return processortest.NewNopSettings(f.Type()) }
	p := &hydraPipeline{traces: new(consumertest.TracesSink), metrics: new(consumertest.MetricsSink)}

	mf := oauthspanmetrics.NewFactory()
	mcfg := mf.CreateDefaultConfig().(*oauthspanmetrics.Config)
	mcfg.FlushInterval = 50 * time.Millisecond
	conn, err := mf.CreateTracesToMetrics(ctx, connectortest.NewNopSettings(mf.Type()), mcfg, p.metrics)
	require.NoError(t, err)
	fan := fanout{p.traces, conn}

	sf := oauthsecurity.NewFactory()
	scfg := sf.CreateDefaultConfig().(*oauthsecurity.Config)
	scfg.FingerprintKey = key
	sec, err := sf.CreateTraces(ctx, set(sf), scfg, fan)
	require.NoError(t, err)
	rf := oauthredact.NewFactory()
	rcfg := rf.CreateDefaultConfig().(*oauthredact.Config)
	rcfg.FingerprintKey = key
	red, err := rf.CreateTraces(ctx, set(rf), rcfg, sec)
	require.NoError(t, err)
	nf := oauthnormalize.NewFactory()
	norm, err := nf.CreateTraces(ctx, set(nf), nf.CreateDefaultConfig(), red)
	require.NoError(t, err)
	p.in = norm
	p.comps = []component.Component{norm, red, sec, conn}
	for i := len(p.comps) - 1; i >= 0; i-- {
		require.NoError(t, p.comps[i].Start(ctx, componenttest.NewNopHost()))
	}
	return p
}

func (p *hydraPipeline) shutdown(t *testing.T) {
	for _, c := range p.comps {
		require.NoError(t, c.Shutdown(context.Background()))
	}
}

// fanout passes traces to the sink and the connector, as a pipeline with
// two exporters does (each gets its own copy).
type fanout []interface {
	ConsumeTraces(context.Context, ptrace.Traces) error
}

func (f fanout) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	for i, c := range f {
		cp := td
		if i < len(f)-1 {
			cp = ptrace.NewTraces()
			td.CopyTo(cp)
		}
		if err := c.ConsumeTraces(ctx, cp); err != nil {
			return err
		}
	}
	return nil
}

func (fanout) Capabilities() consumer.Capabilities { return consumer.Capabilities{MutatesData: true} }

// counters sums the counters of one emitted pmetric.Metrics by the keys
// of Truth.ExpectedMetrics.
func counters(md pmetric.Metrics) map[string]float64 {
	labelsOf := map[string][]string{}
	for _, m := range contract.Metrics {
		labelsOf[m.Name] = m.Labels
	}
	out := map[string]float64{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				if m.Type() != pmetric.MetricTypeSum {
					continue
				}
				dps := m.Sum().DataPoints()
				for d := 0; d < dps.Len(); d++ {
					var kv []string
					for _, l := range labelsOf[m.Name()] {
						v, _ := dps.At(d).Attributes().Get(l)
						kv = append(kv, l, v.AsString())
					}
					if v := float64(dps.At(d).IntValue()); v != 0 {
						out[MetricKey(m.Name(), kv...)] += v
					}
				}
			}
		}
	}
	return out
}

// TestHydraPipelineMatchesTruth feeds the Hydra traffic, cut into random
// batches with roots after their children, through the OAuth pipeline in
// process: every expected counter has exactly its value (and no other
// contract counter moves), every attack is found once and nothing else,
// and no raw signature leaves.
func TestHydraPipelineMatchesTruth(t *testing.T) {
	g := New(hydraConfig(9))
	p := newHydraPipeline(t)
	ctx := context.Background()
	for {
		r, ok := g.Next()
		if !ok {
			break
		}
		require.NoError(t, p.in.ConsumeTraces(ctx, r.Traces))
	}
	tr := g.Truth()
	require.NotEmpty(t, tr.Attacks)

	var got map[string]float64
	require.Eventually(t, func() bool {
		all := p.metrics.AllMetrics()
		if len(all) == 0 {
			return false
		}
		got = counters(all[len(all)-1])
		return got[MetricKey(contract.MetricFlowsTotal, contract.LabelProvider, contract.ProviderHydra,
			contract.LabelStatus, contract.StatusInitiated)] == tr.ExpectedMetrics[MetricKey(contract.MetricFlowsTotal,
			contract.LabelProvider, contract.ProviderHydra, contract.LabelStatus, contract.StatusInitiated)]
	}, 10*time.Second, 20*time.Millisecond)
	time.Sleep(120 * time.Millisecond) // one more flush: everything counted
	all := p.metrics.AllMetrics()
	got = counters(all[len(all)-1])
	p.shutdown(t)
	assert.Equal(t, tr.ExpectedMetrics, got)

	scorer := scenario.NewScorer()
	leaks := 0
	spans := 0
	for _, td := range p.traces.AllTraces() {
		spans += td.SpanCount()
		scorer.Traces(td)
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		leaks += bytes.Count(b, []byte(Marker))
	}
	assert.Equal(t, tr.Spans, spans, "a span was lost")
	s := scorer.Score(tr.ScenarioAttacks())
	t.Logf("%d spans, %d attacks (+%d PKCE mismatches): TP %d FP %d FN %d dup %d", spans, len(tr.Attacks), len(tr.Unflagged),
		s.TruePositives, s.FalsePositives, s.FalseNegatives, s.Duplicates)
	assert.Empty(t, s.Unexpected)
	assert.Equal(t, len(tr.Attacks), s.TruePositives)
	assert.Zero(t, s.Duplicates)
	assert.Zero(t, leaks, "raw secrets after oauth_redact")
}
