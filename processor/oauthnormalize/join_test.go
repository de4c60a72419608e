package oauthnormalize

import (
	"context"
	"errors"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/kcstory"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadatatest"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// newTestProcessor is the traces processor of the default config (changed
// by edit) over next, with its own telemetry and logger, outside the shared
// registry; it is started, and shut down at the end of the test.
func newTestProcessor(t testing.TB, next consumer.Traces, edit func(*Config)) (*tracesProcessor, *componenttest.Telemetry, *observer.ObservedLogs) {
	t.Helper()
	n, tt := newTestNormalizer(t, edit)
	set := metadatatest.NewSettings(tt)
	core, logs := observer.New(zap.DebugLevel)
	set.Logger = zap.New(core)
	p := newTracesProcessor(set, n, next)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		if p.join != nil {
			p.join.Shutdown(context.Background())
		}
	})
	return p, tt, logs
}

// storyCut builds the Keycloak story into batches: a new batch between
// requests at random, and a 26.3 request's INTERNAL span (the event) in a
// batch before its root at random; perSpan puts every span in a batch of
// its own, children first.
func storyCut(s kcStory, rng *rand.Rand, perSpan bool) []ptrace.Traces {
	var batches []ptrace.Traces
	next := func() ptrace.SpanSlice {
		td, sp := newKeycloakBatch(s)
		batches = append(batches, td)
		return sp
	}
	cur := next()
	for i := range s.Requests {
		r := &s.Requests[i]
		if perSpan || rng.Intn(3) == 0 {
			cur = next()
		}
		if r.Layout == "internal" && (perSpan || rng.Intn(2) == 0) {
			child := cur
			cur = next()
			build(r, i, cur, child)
			continue
		}
		build(r, i, cur, cur)
	}
	return batches
}

// recordsOf returns the contract attributes of every request root that
// reached sink, by trace id, and the number of spans.
func recordsOf(t testing.TB, sink *consumertest.TracesSink) (map[string]map[string]string, int) {
	t.Helper()
	out := map[string]map[string]string{}
	var spans int
	for _, td := range sink.AllTraces() {
		vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
			spans++
			if vocab.IsRequestRoot(s) {
				_, dup := out[s.TraceID().String()]
				require.False(t, dup, "a root came out twice")
				out[s.TraceID().String()] = contractAttrs(s.Attributes())
			}
		})
	}
	return out, spans
}

// TestJoinKeycloakBatchCuts (issue 19, "random batch cuts"): the story cut
// at random, a 26.3 request's event span often in a batch before its root,
// and cut into single-span batches children first, gives exactly the
// records and the self-telemetry of the story in one batch, and every span
// once.
func TestJoinKeycloakBatchCuts(t *testing.T) {
	s := loadStory(t)
	var spans, claimed int
	for _, r := range s.Requests {
		spans++
		if r.Layout == "internal" {
			spans++
			if r.Event != nil {
				claimed++
			}
		}
	}
	run := func(batches []ptrace.Traces) (map[string]map[string]string, *componenttest.Telemetry) {
		sink := new(consumertest.TracesSink)
		p, tt, _ := newTestProcessor(t, sink, nil)
		for _, td := range batches {
			require.NoError(t, p.ConsumeTraces(context.Background(), td))
		}
		got, n := recordsOf(t, sink)
		require.Equal(t, spans, n, "every span once, none held once every root came")
		return got, tt
	}
	one, _ := newKeycloakBatch(s)
	sp := one.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := range s.Requests {
		build(&s.Requests[i], i, sp, sp)
	}
	want, _ := run([]ptrace.Traces{one})
	require.Len(t, want, len(s.Requests))
	for i, r := range s.Requests {
		assert.Equal(t, r.Want, want[traceIDOf(i)], r.ID)
	}

	mapped := []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "keycloak")),
		Value:      int64(len(s.Requests) - 2),
	}}
	for seed := int64(0); seed <= 30; seed++ {
		got, tt := run(storyCut(s, rand.New(rand.NewSource(seed)), seed == 0))
		assert.Equal(t, want, got, "seed %d", seed)
		metadatatest.AssertEqualProcessorOauthNormalizeRecordsMapped(t, tt, mapped, metricdatatest.IgnoreTimestamp())
		_, err := tt.GetMetric("otelcol_processor_oauth_normalize_records_unmapped")
		assert.Error(t, err, "seed %d: nothing unmapped", seed)
		if seed == 0 {
			// Single-span batches: every event span was held for its root.
			metadatatest.AssertEqualProcessorOauthNormalizeJoinReleases(t, tt, []metricdata.DataPoint[int64]{{
				Attributes: attribute.NewSet(attribute.String("reason", "root")), Value: int64(claimed),
			}}, metricdatatest.IgnoreTimestamp())
		}
	}
}

// traceIDOf is the trace id kcRequest.build gives request i.
func traceIDOf(i int) string { return pcommon.TraceID{0xc, byte(i)}.String() }

// heldChild holds the INTERNAL span of the story's first 26.3 token
// request (its root never comes) in p.
func heldChild(t *testing.T, p *tracesProcessor, s kcStory) {
	t.Helper()
	for i, r := range s.Requests {
		if r.Layout != "internal" || r.Event == nil || r.Event.Name != "CODE_TO_TOKEN" {
			continue
		}
		td, sp := newKeycloakBatch(s)
		_, roots := newKeycloakBatch(s)
		build(&r, i, roots, sp)
		require.NoError(t, p.ConsumeTraces(context.Background(), td))
		return
	}
	t.Fatal("no 26.3 CODE_TO_TOKEN in the story")
}

// assertReleasedUnmapped: the held span reached sink once, unmapped, and
// is counted root_not_in_batch; the release is counted for reason; stillHeld
// spans are left.
func assertReleasedUnmapped(t *testing.T, sink *consumertest.TracesSink, tt *componenttest.Telemetry, reason string, stillHeld int64) {
	t.Helper()
	require.Equal(t, 1, sink.SpanCount())
	s := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Empty(t, contractAttrs(s.Attributes()))
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsUnmapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("reason", "root_not_in_batch"), attribute.String("vocabulary", "keycloak")),
		Value:      1,
	}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorOauthNormalizeJoinReleases(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("reason", reason)), Value: 1,
	}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorOauthNormalizeJoinHeldSpans(t, tt, []metricdata.DataPoint[int64]{{Value: stillHeld}}, metricdatatest.IgnoreTimestamp())
}

func TestJoinTimeoutPassesThroughUnmapped(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tt, _ := newTestProcessor(t, sink, func(c *Config) { c.Join.Wait = 20 * time.Millisecond })
	heldChild(t, p, loadStory(t))
	require.Eventually(t, func() bool { return sink.SpanCount() == 1 }, 5*time.Second, 5*time.Millisecond)
	assertReleasedUnmapped(t, sink, tt, "timeout", 0)
}

func TestJoinShutdownPassesThroughUnmapped(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tt, _ := newTestProcessor(t, sink, nil)
	heldChild(t, p, loadStory(t))
	assert.Zero(t, sink.SpanCount(), "held")
	metadatatest.AssertEqualProcessorOauthNormalizeJoinHeldTraces(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	p.join.Shutdown(context.Background())
	assertReleasedUnmapped(t, sink, tt, "shutdown", 0)
}

func TestJoinOverflowPassesThroughUnmapped(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tt, _ := newTestProcessor(t, sink, func(c *Config) { c.Join.MaxSpans = 1 })
	s := loadStory(t)
	heldChild(t, p, s)
	assert.Zero(t, sink.SpanCount(), "one span fits")
	// A second held trace: the first leaves.
	td, sp := newKeycloakBatch(s)
	_, roots := newKeycloakBatch(s)
	r := s.Requests[len(s.Requests)-1]
	r.Layout, r.Internal = "internal", "X.y"
	r.Event = s.Requests[3].Event
	build(&r, 200, roots, sp)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	assertReleasedUnmapped(t, sink, tt, "overflow", 1)
}

// A release the next consumer refuses is counted and logged, without the
// error's text (it may quote spans not yet redacted).
func TestJoinRefusedReleaseIsCountedAndLogged(t *testing.T) {
	const secretish = "rpc error: span attribute kc.details.refresh_token_id=e4b1c2d3"
	p, tt, logs := newTestProcessor(t, consumertest.NewErr(errors.New(secretish)), nil)
	heldChild(t, p, loadStory(t))
	p.join.Shutdown(context.Background())
	metadatatest.AssertEqualProcessorOauthNormalizeJoinConsumerErrors(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("reason", "shutdown")), Value: 1,
	}}, metricdatatest.IgnoreTimestamp())
	require.Equal(t, 1, logs.Len())
	entry := logs.All()[0]
	assert.Equal(t, zap.ErrorLevel, entry.Level)
	for _, f := range entry.Context {
		assert.NotContains(t, f.String, "refresh_token_id", f.Key)
	}
	assert.NotContains(t, entry.Message, "refresh_token_id")
	assert.Equal(t, int64(1), entry.ContextMap()["spans"])
}

// Off, or with no vocabulary that claims, there is no buffer: a child
// before its root is mapped as before the join (root_not_in_batch).
func TestJoinSwitchedOff(t *testing.T) {
	for _, edit := range []func(*Config){
		func(c *Config) { c.Join.Enabled = false },
		func(c *Config) { c.Vocabularies.Keycloak.Enabled, c.Vocabularies.Hydra.Enabled = false, false },
	} {
		sink := new(consumertest.TracesSink)
		p, _, _ := newTestProcessor(t, sink, edit)
		assert.Nil(t, p.join)
		heldChild(t, p, loadStory(t))
		assert.Equal(t, 1, sink.SpanCount(), "passed at once")
	}
}

// The factory's traces processor shuts down cleanly and passes what it
// holds on.
func TestFactoryTracesShutdownFlushes(t *testing.T) {
	f := NewFactory()
	sink := new(consumertest.TracesSink)
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	heldChild(t, p.(*tracesProcessor), loadStory(t))
	assert.Zero(t, sink.SpanCount())
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 1, sink.SpanCount())
	require.NoError(t, p.Shutdown(context.Background()), "twice is fine")
}

// Four goroutines send four copies of the story (other trace ids) in
// single-span batches, event spans first, while the timer runs (-race):
// every span comes out once and every copy gives the story's records.
func TestJoinConcurrentStories(t *testing.T) {
	s := loadStory(t)
	sink := new(consumertest.TracesSink)
	p, _, _ := newTestProcessor(t, sink, func(c *Config) { c.Join.Wait = time.Minute })
	var wg sync.WaitGroup
	for v := 1; v <= 4; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			for i := range s.Requests {
				child, childSpans := newKeycloakBatch(s)
				root, rootSpans := newKeycloakBatch(s)
				r := s.Requests[i]
				r.Build(v, i, 0, rootSpans, childSpans)
				for _, td := range []ptrace.Traces{child, root} {
					if td.SpanCount() > 0 {
						assert.NoError(t, p.ConsumeTraces(context.Background(), td))
					}
				}
			}
		}(v)
	}
	wg.Wait()
	p.join.Shutdown(context.Background())
	got, spans := recordsOf(t, sink)
	assert.Equal(t, 4*s.Spans(), spans)
	for v := 1; v <= 4; v++ {
		for i, r := range s.Requests {
			assert.Equal(t, r.Want, got[kcstory.TraceID(v, i).String()], "copy %d %s", v, r.ID)
		}
	}
}
