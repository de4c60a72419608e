package bench

import (
	"bytes"
	"fmt"
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// LeakPositions names where leaked secrets were found (keys and positions
// only, never values), most frequent first.
func (s *Sink) LeakPositions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	type kv struct {
		k string
		n int
	}
	var l []kv
	for k, n := range s.leakWhere {
		l = append(l, kv{k, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].k < l[j].k })
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprintf("%s (%d)", e.k, e.n))
	}
	return out
}

func has(s string) bool { return bytes.Contains([]byte(s), []byte(oauthgen.Marker)) }

func (s *Sink) whereValue(pos string, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if has(v.Str()) {
			s.leakWhere[pos]++
		}
	case pcommon.ValueTypeMap:
		s.whereMap(pos, v.Map())
	case pcommon.ValueTypeSlice:
		for i := 0; i < v.Slice().Len(); i++ {
			s.whereValue(pos+"[]", v.Slice().At(i))
		}
	}
}

func (s *Sink) whereMap(pos string, m pcommon.Map) {
	m.Range(func(k string, v pcommon.Value) bool {
		s.whereValue(pos+"."+k, v)
		return true
	})
}

func (s *Sink) whereTraces(td ptrace.Traces) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		s.whereMap("resource", rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			s.whereMap("scope", ss.Scope().Attributes())
			for k := 0; k < ss.Spans().Len(); k++ {
				sp := ss.Spans().At(k)
				if has(sp.Name()) {
					s.leakWhere["span name"]++
				}
				if has(sp.Status().Message()) {
					s.leakWhere["span status message"]++
				}
				s.whereMap("span", sp.Attributes())
				for e := 0; e < sp.Events().Len(); e++ {
					if has(sp.Events().At(e).Name()) {
						s.leakWhere["span event name"]++
					}
					s.whereMap("span event", sp.Events().At(e).Attributes())
				}
				for l := 0; l < sp.Links().Len(); l++ {
					s.whereMap("span link", sp.Links().At(l).Attributes())
				}
			}
		}
	}
}

func (s *Sink) whereLogs(ld plog.Logs) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		s.whereMap("resource", rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			sl := rl.ScopeLogs().At(j)
			s.whereMap("scope", sl.Scope().Attributes())
			for k := 0; k < sl.LogRecords().Len(); k++ {
				lr := sl.LogRecords().At(k)
				s.whereMap("log", lr.Attributes())
				s.whereValue("log body", lr.Body())
			}
		}
	}
}

func (s *Sink) whereMetrics(md pmetric.Metrics) {
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		rm := md.ResourceMetrics().At(i)
		s.whereMap("resource", rm.Resource().Attributes())
		for j := 0; j < rm.ScopeMetrics().Len(); j++ {
			ms := rm.ScopeMetrics().At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for d := 0; d < m.Sum().DataPoints().Len(); d++ {
						dp := m.Sum().DataPoints().At(d)
						s.whereMap("data point", dp.Attributes())
						for e := 0; e < dp.Exemplars().Len(); e++ {
							s.whereMap("exemplar", dp.Exemplars().At(e).FilteredAttributes())
						}
					}
				case pmetric.MetricTypeHistogram:
					for d := 0; d < m.Histogram().DataPoints().Len(); d++ {
						dp := m.Histogram().DataPoints().At(d)
						s.whereMap("data point", dp.Attributes())
						for e := 0; e < dp.Exemplars().Len(); e++ {
							s.whereMap("exemplar", dp.Exemplars().At(e).FilteredAttributes())
						}
					}
				}
			}
		}
	}
}
