package oauthnormalize

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
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
// (never over a value it has). claimed are the traces to route whole.
func routeWhole(td ptrace.Traces, claimed []pcommon.TraceID) {
	if len(claimed) == 0 {
		return
	}
	ids := clientIDs(td, claimed)
	if len(ids) == 0 {
		return
	}
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
			firstSpans(ss.Spans(), ids)
		}
	}
}

// firstSpans gives the first span of each trace in ids, within one
// scope, its trace's client id unless it has one.
func firstSpans(spans ptrace.SpanSlice, ids map[pcommon.TraceID]string) {
	var done []pcommon.TraceID
	for k := 0; k < spans.Len(); k++ {
		s := spans.At(k)
		id := s.TraceID()
		client, ok := ids[id]
		if !ok || has(done, id) {
			continue
		}
		done = append(done, id)
		if _, set := s.Attributes().Get(contract.AttrClientID); !set {
			s.Attributes().PutStr(contract.AttrClientID, client)
		}
	}
}

// clientIDs finds, for each claimed trace, the oauth.client_id of its
// first request root that carries one (on the span or its resource).
func clientIDs(td ptrace.Traces, claimed []pcommon.TraceID) map[pcommon.TraceID]string {
	var ids map[pcommon.TraceID]string
	vocab.EachSpan(td, func(s ptrace.Span, res pcommon.Map) {
		id := s.TraceID()
		if !vocab.IsRequestRoot(s) || !has(claimed, id) {
			return
		}
		if _, found := ids[id]; found {
			return
		}
		v, ok := contract.Lookup(s.Attributes(), res, contract.AttrClientID)
		if !ok || v.Type() != pcommon.ValueTypeStr || v.Str() == "" {
			return
		}
		if ids == nil {
			ids = map[pcommon.TraceID]string{}
		}
		ids[id] = v.Str()
	})
	return ids
}

func has(ids []pcommon.TraceID, id pcommon.TraceID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
