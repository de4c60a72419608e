package oauthnormalize

import (
	"encoding/binary"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
)

// routeWhole copies the client id of each claimed trace's record onto the
// spans the load_balancing exporter routes that trace by, so that the
// whole trace reaches one gateway. The exporter (v0.161.0, routing_key:
// attributes) cuts a batch into one piece per resource, scope and trace id
// (batchpersignal.SplitTraces) and keys each piece by the attribute on its
// resource, else on its scope, else on its first span only. A Keycloak
// 26.3 trace has its record (the root SERVER span) and the INTERNAL span
// with the event in two scopes, and SDKs export a child before its root:
// without the copy, the piece of the child is keyed "oauth.client_id=" and
// may go to another gateway than the record. So, in every resource and
// scope where a claimed trace has spans and neither the resource nor the
// scope carries oauth.client_id, its first span gets the record's value
// (never over a value it has). roots are the claimed traces' records,
// read after the mapping.
func routeWhole(td ptrace.Traces, roots []authplanespans.Spanned) {
	r := newRoutes(roots)
	if r.ids == nil {
		return
	}
	done := make([]pcommon.TraceID, 0, len(r.ids))
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		if _, ok := rs.Resource().Attributes().Get(contract.AttrClientID); ok {
			continue
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			if _, ok := ss.Scope().Attributes().Get(contract.AttrClientID); ok {
				continue
			}
			done = r.firstSpans(ss.Spans(), done[:0])
		}
	}
}

// routes are the client ids of the claimed traces of a batch, with a
// 256-bit filter on their trace ids: most spans of a batch belong to no
// claimed trace and are passed over with one bit test.
type routes struct {
	ids    map[pcommon.TraceID]string
	filter [4]uint64
}

// bit is the filter word and bit of a trace id: a multiplicative hash of
// its two halves (trace ids are random in production, not in tests).
func bit(id pcommon.TraceID) (int, uint64) {
	h := (binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])) * 0x9e3779b97f4a7c15 >> 56
	return int(h >> 6), 1 << (h & 63)
}

// newRoutes reads the oauth.client_id of each root (span, else resource);
// ids is nil when none has one.
func newRoutes(roots []authplanespans.Spanned) routes {
	var r routes
	for _, root := range roots {
		v, ok := contract.Lookup(root.Span.Attributes(), root.Res, contract.AttrClientID)
		if !ok || v.Type() != pcommon.ValueTypeStr || v.Str() == "" {
			continue
		}
		if r.ids == nil {
			r.ids = make(map[pcommon.TraceID]string, len(roots))
		}
		id := root.Span.TraceID()
		r.ids[id] = v.Str()
		w, b := bit(id)
		r.filter[w] |= b
	}
	return r
}

// firstSpans gives the first span of each routed trace within one scope
// its trace's client id unless it has one. done is scratch space.
func (r *routes) firstSpans(spans ptrace.SpanSlice, done []pcommon.TraceID) []pcommon.TraceID {
	for k := 0; k < spans.Len(); k++ {
		s := spans.At(k)
		id := s.TraceID()
		if w, b := bit(id); r.filter[w]&b == 0 {
			continue
		}
		client, ok := r.ids[id]
		if !ok || has(done, id) {
			continue
		}
		done = append(done, id)
		if _, set := s.Attributes().Get(contract.AttrClientID); !set {
			s.Attributes().PutStr(contract.AttrClientID, client)
		}
	}
	return done
}

func has(ids []pcommon.TraceID, id pcommon.TraceID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
