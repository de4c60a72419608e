package oauthnormalize

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
)

// lbKeys computes the keys contrib's load_balancing exporter v0.161.0
// routes td by with routing_key: attributes and routing_attributes
// [oauth.client_id] (exporter/loadbalancingexporter/trace_exporter.go,
// ConsumeTraces and routingIdentifiersFromTraces, after
// pkg/batchpersignal.SplitTraces): one piece per resource, scope and trace
// id, keyed by the attribute on the resource, else on the scope, else on
// the piece's first span, else "oauth.client_id=" (attribute_routing.go).
func lbKeys(td ptrace.Traces) map[pcommon.TraceID]map[string]bool {
	out := map[pcommon.TraceID]map[string]bool{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			seen := map[pcommon.TraceID]bool{}
			for k := 0; k < ss.Spans().Len(); k++ {
				s := ss.Spans().At(k)
				if seen[s.TraceID()] {
					continue
				}
				seen[s.TraceID()] = true
				key := "oauth.client_id="
				for _, m := range []pcommon.Map{rs.Resource().Attributes(), ss.Scope().Attributes(), s.Attributes()} {
					if v, ok := m.Get(contract.AttrClientID); ok {
						key += v.AsString()
						break
					}
				}
				if out[s.TraceID()] == nil {
					out[s.TraceID()] = map[string]bool{}
				}
				out[s.TraceID()][key] = true
			}
		}
	}
	return out
}

// A Keycloak 26.3 request as its SDK exports it: the INTERNAL span with
// the event first, in Keycloak's own scope, the root SERVER span in the
// HTTP server's scope. Mapped, every piece the load_balancing exporter cuts
// is keyed by the client id: the trace goes to one gateway.
func TestRouteWholeKeycloak(t *testing.T) {
	s := loadStory(t)
	var r *kcRequest
	for i := range s.Requests {
		if s.Requests[i].Layout == "internal" && s.Requests[i].Event != nil && s.Requests[i].Want[contract.AttrClientID] != "" {
			r = &s.Requests[i]
			break
		}
	}
	require.NotNil(t, r)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "keycloak")
	kcScope := rs.ScopeSpans().AppendEmpty()
	kcScope.Scope().SetName("org.keycloak")
	httpScope := rs.ScopeSpans().AppendEmpty()
	httpScope.Scope().SetName("io.quarkus.opentelemetry")
	build(r, 1, httpScope.Spans(), kcScope.Spans())
	// An unclaimed app span of another trace keeps its key.
	app := httpScope.Spans().AppendEmpty()
	app.SetTraceID(pcommon.TraceID{9})
	app.SetSpanID(pcommon.SpanID{9})

	// Mapped without the copy (the join off), the record's piece and the
	// event span's piece have two keys: two gateways.
	plain := ptrace.NewTraces()
	td.CopyTo(plain)
	off, _, _ := newTestProcessor(t, consumertest.NewNop(), func(c *Config) { c.Join.Enabled = false })
	require.NoError(t, off.ConsumeTraces(context.Background(), plain))
	require.Len(t, lbKeys(plain)[pcommon.TraceID{0xc, 1}], 2, "without the copy the trace is cut in two keys")

	sink := new(consumertest.TracesSink)
	p, _, _ := newTestProcessor(t, sink, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	keys := lbKeys(sink.AllTraces()[0])
	assert.Equal(t, map[string]bool{"oauth.client_id=" + r.Want[contract.AttrClientID]: true}, keys[pcommon.TraceID{0xc, 1}])
	assert.Equal(t, map[string]bool{"oauth.client_id=": true}, keys[pcommon.TraceID{9}])
	// Only the first span of the child's scope gained the attribute.
	var labelled []string
	for _, sp := range []ptrace.SpanSlice{kcScope.Spans(), httpScope.Spans()} {
		for k := 0; k < sp.Len(); k++ {
			if _, ok := sp.At(k).Attributes().Get(contract.AttrClientID); ok {
				labelled = append(labelled, sp.At(k).Name())
			}
		}
	}
	assert.Equal(t, []string{r.Internal, r.Method + " " + r.Route}, labelled)
	assert.True(t, strings.HasPrefix(labelled[1], "POST /realms"))
}

// The copy never writes over a client id: not where the resource or the
// scope carries one (the exporter reads those first), not on a span that
// has its own.
func TestRouteWholeNeverOverwrites(t *testing.T) {
	root := func(spans ptrace.SpanSlice, trace byte) authplanespans.Spanned {
		s := spans.AppendEmpty()
		s.SetKind(ptrace.SpanKindServer)
		s.SetTraceID(pcommon.TraceID{trace})
		s.SetSpanID(pcommon.SpanID{1})
		s.Attributes().PutStr(contract.AttrClientID, "web")
		return authplanespans.Spanned{Span: s, Res: pcommon.NewMap()}
	}
	child := func(spans ptrace.SpanSlice, trace byte) ptrace.Span {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{trace})
		s.SetSpanID(pcommon.SpanID{2})
		s.SetParentSpanID(pcommon.SpanID{1})
		return s
	}
	td := ptrace.NewTraces()
	onRes := td.ResourceSpans().AppendEmpty()
	onRes.Resource().Attributes().PutStr(contract.AttrClientID, "from-resource")
	a := child(onRes.ScopeSpans().AppendEmpty().Spans(), 1)
	rs := td.ResourceSpans().AppendEmpty()
	onScope := rs.ScopeSpans().AppendEmpty()
	onScope.Scope().Attributes().PutStr(contract.AttrClientID, "from-scope")
	b := child(onScope.Spans(), 2)
	own := child(rs.ScopeSpans().AppendEmpty().Spans(), 3)
	own.Attributes().PutStr(contract.AttrClientID, "its-own")
	plain := rs.ScopeSpans().AppendEmpty().Spans()
	c := child(plain, 4)
	roots := rs.ScopeSpans().AppendEmpty().Spans()
	var rr []authplanespans.Spanned
	for trace := byte(1); trace <= 4; trace++ {
		rr = append(rr, root(roots, trace))
	}

	routeWhole(td, rr)
	for _, s := range []ptrace.Span{a, b} {
		_, ok := s.Attributes().Get(contract.AttrClientID)
		assert.False(t, ok, "the resource or scope carries it")
	}
	v, _ := own.Attributes().Get(contract.AttrClientID)
	assert.Equal(t, "its-own", v.Str())
	v, _ = c.Attributes().Get(contract.AttrClientID)
	assert.Equal(t, "web", v.Str())
}
