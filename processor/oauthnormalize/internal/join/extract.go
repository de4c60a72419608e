package join

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// traceSet is a set of trace ids.
type traceSet map[pcommon.TraceID]struct{}

// part is the spans of one trace taken out of a batch.
type part struct {
	id pcommon.TraceID
	td ptrace.Traces
	// from is the index in the batch of the resource of td's last
	// resource, so that the scopes of one resource share it.
	from int
}

// extract moves the spans of the traces in ids out of td, one Traces per
// trace in the order the traces first appear, each span under a copy of
// its resource and scope. A scope or resource that extract emptied is
// removed from td; everything else keeps its place.
func extract(td ptrace.Traces, ids traceSet) []*part {
	var parts []*part
	byID := map[pcommon.TraceID]*part{}
	rss := td.ResourceSpans()
	goneRS := make([]bool, rss.Len())
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		goneSS := make([]bool, sss.Len())
		var gone int
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			before := ss.Spans().Len()
			dest := map[pcommon.TraceID]ptrace.SpanSlice{}
			ss.Spans().RemoveIf(func(s ptrace.Span) bool {
				id := s.TraceID()
				if _, ok := ids[id]; !ok {
					return false
				}
				d, ok := dest[id]
				if !ok {
					p := byID[id]
					if p == nil {
						p = &part{id: id, td: ptrace.NewTraces(), from: -1}
						byID[id] = p
						parts = append(parts, p)
					}
					d = p.scope(i, rs, ss)
					dest[id] = d
				}
				s.MoveTo(d.AppendEmpty())
				return true
			})
			if before > 0 && ss.Spans().Len() == 0 {
				goneSS[j] = true
				gone++
			}
		}
		if gone > 0 {
			removeMarked(sss, goneSS)
			goneRS[i] = sss.Len() == 0
		}
	}
	if len(parts) > 0 {
		k := 0
		rss.RemoveIf(func(ptrace.ResourceSpans) bool { k++; return goneRS[k-1] })
	}
	return parts
}

// removeMarked removes the scopes whose index is marked.
func removeMarked(sss ptrace.ScopeSpansSlice, marked []bool) {
	k := 0
	sss.RemoveIf(func(ptrace.ScopeSpans) bool { k++; return marked[k-1] })
}

// scope returns the spans of a new scope in p, a copy of ss under a copy
// of rs (the batch's resource i, shared with p's previous scope from it).
func (p *part) scope(i int, rs ptrace.ResourceSpans, ss ptrace.ScopeSpans) ptrace.SpanSlice {
	var dst ptrace.ResourceSpans
	if p.from == i {
		dst = p.td.ResourceSpans().At(p.td.ResourceSpans().Len() - 1)
	} else {
		dst = p.td.ResourceSpans().AppendEmpty()
		rs.Resource().CopyTo(dst.Resource())
		dst.SetSchemaUrl(rs.SchemaUrl())
		p.from = i
	}
	ds := dst.ScopeSpans().AppendEmpty()
	ss.Scope().CopyTo(ds.Scope())
	ds.SetSchemaUrl(ss.SchemaUrl())
	return ds.Spans()
}
