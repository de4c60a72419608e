package oauthspanmetrics

import (
	"cmp"
	"context"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// flushAtStart emits once when the connector starts, before the first tick:
// the series that exist without any record (the label-less counters and the
// gauges at 0, or the gauges restored from storage) are then on the first
// scrape after the collector reports healthy, not a flush_interval later.
// The exporters downstream are started before the connector, so they accept.
func (a *aggregator) flushAtStart(ctx context.Context) {
	if err := a.flush(ctx); err != nil {
		a.logger.Warn("emitting OAuth metrics failed", zap.Error(err))
	}
}

// build returns every series of every group as cumulative metrics: all series
// are re-emitted at each flush with the same start timestamp. A series keeps
// its latest exemplar until a newer record replaces it, so a scrape between
// any two flushes sees it.
func (s *state) build(start, now pcommon.Timestamp) pmetric.Metrics {
	md := pmetric.NewMetrics()
	groups := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b *group) int { return cmp.Compare(a.key, b.key) })

	for _, g := range groups {
		rm := md.ResourceMetrics().AppendEmpty()
		ra := rm.Resource().Attributes()
		for i, k := range s.cfg.ResourceAttributes {
			if g.has[i] {
				ra.PutStr(k, g.attrs[i])
			}
		}
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(metadata.ScopeName)
		for mi, spec := range contract.Metrics {
			if spec.Extended && !s.cfg.ExtendedMetrics {
				continue
			}
			switch spec.Kind {
			case contract.Gauge:
				m := sm.Metrics().AppendEmpty()
				m.SetName(spec.Name)
				dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
				dp.SetTimestamp(now)
				switch mi {
				case mActiveTokens:
					dp.SetIntValue(int64(g.tokens.Len()))
				case mActivePKCE:
					dp.SetIntValue(int64(g.pkce.live))
				}
			case contract.Counter:
				s.buildSum(sm, g, mi, spec, start, now)
			case contract.Histogram:
				s.buildHist(sm, g, mi, spec, start, now)
			}
		}
	}
	return md
}

func sortedLabels[V any](m map[labels]V) []labels {
	ls := make([]labels, 0, len(m))
	for l := range m {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(x, y labels) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	return ls
}

func putLabels(attrs pcommon.Map, spec contract.MetricSpec, l labels) {
	if len(spec.Labels) > 0 {
		attrs.PutStr(spec.Labels[0], l.a)
	}
	if len(spec.Labels) > 1 {
		attrs.PutStr(spec.Labels[1], l.b)
	}
}

func putExemplar(exs pmetric.ExemplarSlice, ex exemplar) {
	e := exs.AppendEmpty()
	e.SetTraceID(ex.traceID)
	e.SetSpanID(ex.spanID)
	e.SetDoubleValue(ex.value)
	e.SetTimestamp(ex.ts)
}

func (s *state) buildSum(sm pmetric.ScopeMetrics, g *group, mi int, spec contract.MetricSpec, start, now pcommon.Timestamp) {
	points := g.sums[mi]
	if len(spec.Labels) == 0 && len(points) == 0 {
		// Label-less counters are exported from the start at 0.
		points = map[labels]*sumPoint{{}: {}}
	}
	if len(points) == 0 {
		return
	}
	m := sm.Metrics().AppendEmpty()
	m.SetName(spec.Name)
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, l := range sortedLabels(points) {
		p := points[l]
		dp := sum.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(now)
		dp.SetIntValue(p.v)
		putLabels(dp.Attributes(), spec, l)
		if p.hasEx {
			putExemplar(dp.Exemplars(), p.ex)
		}
	}
}

func (s *state) buildHist(sm pmetric.ScopeMetrics, g *group, mi int, spec contract.MetricSpec, start, now pcommon.Timestamp) {
	points := g.hists[mi]
	if len(points) == 0 {
		return
	}
	m := sm.Metrics().AppendEmpty()
	m.SetName(spec.Name)
	m.SetUnit("s")
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, l := range sortedLabels(points) {
		p := points[l]
		dp := h.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(now)
		dp.SetCount(p.count)
		dp.SetSum(p.sum)
		dp.ExplicitBounds().FromRaw(spec.Buckets)
		dp.BucketCounts().FromRaw(p.counts)
		putLabels(dp.Attributes(), spec, l)
		if p.hasEx {
			putExemplar(dp.Exemplars(), p.ex)
		}
	}
}
