package oauthspanmetrics

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
)

// fakeClock is the connector clock in tests: TTLs move only when a test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_100, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// registered reports whether the registry holds an aggregator for id,
// without creating one.
func registered(id component.ID) bool {
	errAbsent := errors.New("absent")
	if _, err := aggregators.Acquire(id, func() (*aggregator, error) { return nil, errAbsent }); err != nil {
		return false
	}
	aggregators.Release(id)
	return true
}

// harness is one connector id with both sides created, as the collector does
// when the connector sits in a traces and a logs pipeline.
type harness struct {
	t      *testing.T
	traces *metricsConnector
	logs   *metricsConnector
	sink   *consumertest.MetricsSink
	clock  *fakeClock
}

func defaultConfig() *Config { return createDefaultConfig().(*Config) }

func newHarness(t *testing.T, cfg *Config, name string, host component.Host, clock *fakeClock) *harness {
	t.Helper()
	set := connectortest.NewNopSettings(metadata.Type)
	set.ID = component.MustNewIDWithName(metadata.Type.String(), name)
	return newHarnessWithSettings(t, cfg, set, host, clock)
}

func newHarnessWithSettings(t *testing.T, cfg *Config, set connector.Settings, host component.Host, clock *fakeClock) *harness {
	t.Helper()
	if host == nil {
		host = componenttest.NewNopHost()
	}
	if clock == nil {
		clock = newFakeClock()
	}
	sink := &consumertest.MetricsSink{}
	f := NewFactory()
	tc, err := f.CreateTracesToMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	lc, err := f.CreateLogsToMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	h := &harness{t: t, traces: tc.(*metricsConnector), logs: lc.(*metricsConnector), sink: sink, clock: clock}
	require.Same(t, h.traces.agg, h.logs.agg, "both sides must share one aggregator")
	h.traces.agg.now = clock.Now
	require.NoError(t, tc.Start(context.Background(), host))
	require.NoError(t, lc.Start(context.Background(), host))
	t.Cleanup(func() { h.shutdown() })
	return h
}

func (h *harness) shutdown() {
	require.NoError(h.t, h.traces.Shutdown(context.Background()))
	require.NoError(h.t, h.logs.Shutdown(context.Background()))
}

// flush emits once and returns what was emitted.
func (h *harness) flush() pmetric.Metrics {
	h.t.Helper()
	h.sink.Reset()
	require.NoError(h.t, h.traces.agg.flush(context.Background()))
	all := h.sink.AllMetrics()
	require.Len(h.t, all, 1)
	return all[0]
}

// point finds the data point of metric name in the resource with
// service.name svc ("" for the resource without it) whose attributes are kv.
// It returns the counter / gauge value, or the histogram count.
func point(t *testing.T, md pmetric.Metrics, svc, name string, kv ...string) (float64, bool) {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		v, ok := rm.Resource().Attributes().Get("service.name")
		if (svc == "") == ok || (ok && v.Str() != svc) {
			continue
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name {
					continue
				}
				match := func(attrs pcommon.Map) bool {
					if attrs.Len() != len(kv)/2 {
						return false
					}
					for i := 0; i+1 < len(kv); i += 2 {
						a, ok := attrs.Get(kv[i])
						if !ok || a.Str() != kv[i+1] {
							return false
						}
					}
					return true
				}
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						if match(dp.Attributes()) {
							return float64(dp.IntValue()), true
						}
					}
				case pmetric.MetricTypeGauge:
					for _, dp := range m.Gauge().DataPoints().All() {
						if match(dp.Attributes()) {
							return float64(dp.IntValue()), true
						}
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						if match(dp.Attributes()) {
							return float64(dp.Count()), true
						}
					}
				}
			}
		}
	}
	return 0, false
}

func mustPoint(t *testing.T, md pmetric.Metrics, svc, name string, kv ...string) float64 {
	t.Helper()
	v, ok := point(t, md, svc, name, kv...)
	require.Truef(t, ok, "no point %s%v for service %q", name, kv, svc)
	return v
}

// spanBuilder makes small traces for unit tests.
type spanBuilder struct {
	td  ptrace.Traces
	ss  ptrace.SpanSlice
	seq uint64
}

func newSpans(resKV ...string) *spanBuilder {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	for i := 0; i+1 < len(resKV); i += 2 {
		rs.Resource().Attributes().PutStr(resKV[i], resKV[i+1])
	}
	return &spanBuilder{td: td, ss: rs.ScopeSpans().AppendEmpty().Spans()}
}

// add appends a span lasting dur that starts at start, with string attributes kv.
func (b *spanBuilder) add(start time.Time, dur time.Duration, kv ...string) ptrace.Span {
	b.seq++
	sp := b.ss.AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1, 2, 3})
	sp.SetSpanID(pcommon.SpanID{0, 0, 0, 0, 0, 0, byte(b.seq >> 8), byte(b.seq)})
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(dur)))
	for i := 0; i+1 < len(kv); i += 2 {
		sp.Attributes().PutStr(kv[i], kv[i+1])
	}
	return sp
}

func newLogs(resKV ...string) (plog.Logs, plog.LogRecordSlice) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	for i := 0; i+1 < len(resKV); i += 2 {
		rl.Resource().Attributes().PutStr(resKV[i], resKV[i+1])
	}
	return ld, rl.ScopeLogs().AppendEmpty().LogRecords()
}

// total sums the values (counters) or counts (histograms) of every data point
// of a metric across resources.
func total(rms pmetric.ResourceMetricsSlice, name string) float64 {
	var sum float64
	for _, rm := range rms.All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name {
					continue
				}
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
							sum += float64(dp.IntValue())
						} else {
							sum += dp.DoubleValue()
						}
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						sum += float64(dp.Count())
					}
				}
			}
		}
	}
	return sum
}
