package oauthspanmetrics

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Walking: this file turns traces and logs into records, one per OAuth span
// or log line, and hands each to count (count.go). Nothing here decides a
// metric, as countconnector keeps its walking apart from its counting.

// record is one OAuth span or log record, after attribute scanning.
type record struct {
	f        fields
	kind     ptrace.SpanKind
	code     ptrace.StatusCode
	start    pcommon.Timestamp
	end      pcommon.Timestamp
	isSpan   bool
	traceID  pcommon.TraceID
	spanID   pcommon.SpanID
	duration float64
	hasDur   bool
}

// consumeTraces counts every OAuth span of td.
func (s *state) consumeTraces(td ptrace.Traces) {
	nowN := s.now().UnixNano()
	var res fields
	var r record
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		resAttrs := rs.Resource().Attributes()
		res = fields{}
		res.scan(resAttrs, false)
		var g *group
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				if !r.read(&res, sp.Attributes()) {
					continue
				}
				if g == nil {
					g = s.resourceGroup(resAttrs)
				}
				r.fromSpan(sp)
				if s.count(g, &r, nowN) && r.f.op != "" && !r.traceID.IsEmpty() && !r.spanID.IsEmpty() {
					s.dedup.queue(dedupKey{r.traceID, r.spanID, opIndex(r.f.op)})
				}
			}
		}
	}
	if n := s.dedup.flush(nowN); n > 0 {
		s.evictions["dedup"] += int64(n)
	}
}

// consumeLogs counts every OAuth log record of ld not already counted as a span.
func (s *state) consumeLogs(ld plog.Logs) {
	nowN := s.now().UnixNano()
	var res fields
	var r record
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		resAttrs := rl.Resource().Attributes()
		res = fields{}
		res.scan(resAttrs, false)
		var g *group
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if !r.read(&res, lr.Attributes()) {
					continue
				}
				r.traceID, r.spanID = lr.TraceID(), lr.SpanID()
				if !r.traceID.IsEmpty() && !r.spanID.IsEmpty() && s.dedup.has(dedupKey{r.traceID, r.spanID, opIndex(r.f.op)}) {
					continue // the span of this log line was counted
				}
				if g == nil {
					g = s.resourceGroup(resAttrs)
				}
				r.fromLog(lr)
				s.count(g, &r, nowN)
			}
		}
	}
}

// read scans a record's attributes over its resource's fields and reports
// whether the record is counted: it is an OAuth record or carries findings,
// and is not a record the findings connector wrote.
func (r *record) read(res *fields, attrs pcommon.Map) bool {
	r.f = *res
	r.f.scan(attrs, true)
	return !r.f.findingRecord && (r.f.op != "" || r.f.hasFindings)
}

// fromSpan fills the rest of r from its span; the duration is the span's.
func (r *record) fromSpan(sp ptrace.Span) {
	r.kind = sp.Kind()
	r.code = sp.Status().Code()
	r.start, r.end = sp.StartTimestamp(), sp.EndTimestamp()
	r.isSpan = true
	r.traceID, r.spanID = sp.TraceID(), sp.SpanID()
	r.hasDur = r.end >= r.start && r.start != 0
	r.duration = 0
	if r.hasDur {
		r.duration = float64(r.end-r.start) / 1e9
	}
}

// fromLog fills the rest of r from its log record (ids already set); the
// duration is oauth.duration, the time the record's (or observed) timestamp.
func (r *record) fromLog(lr plog.LogRecord) {
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	r.kind = ptrace.SpanKindUnspecified
	r.code = ptrace.StatusCodeUnset
	r.start, r.end = ts, ts
	r.isSpan = false
	r.hasDur = r.f.hasDuration
	r.duration = r.f.duration
}

// opIndex is the dedup key's operation: index+1 in contract.Operations, 0
// for an operation outside the contract.
func opIndex(op string) uint8 {
	return uint8(slices.Index(contract.Operations, op) + 1)
}
