package join

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// claimAttr marks a span a test vocabulary claims (when it is not its
// request's root).
const claimAttr = "test.claim"

func testClaims(s ptrace.Span, _ pcommon.Map) bool {
	if s.Kind() == ptrace.SpanKindServer {
		return false
	}
	_, ok := s.Attributes().Get(claimAttr)
	return ok
}

// sink records what the buffer emits and observes.
type sink struct {
	mu       sync.Mutex
	emitted  []ptrace.Traces
	held     [2]int64 // spans, traces
	released [NumReasons]int64
	failed   [NumReasons]int
	refuse   bool
}

func (k *sink) Emit(_ context.Context, td ptrace.Traces) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.emitted = append(k.emitted, td)
	if k.refuse {
		return errors.New("refused")
	}
	return nil
}

func (k *sink) Held(_ context.Context, spans, traces int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.held[0] += spans
	k.held[1] += traces
}

func (k *sink) Released(_ context.Context, r Reason, traces int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.released[r] += traces
}

func (k *sink) EmitFailed(_ context.Context, r Reason, spans int, _ error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.failed[r] += spans
}

func (k *sink) emittedSpans() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	var n int
	for _, td := range k.emitted {
		n += td.SpanCount()
	}
	return n
}

func (k *sink) snapshot() (held [2]int64, released [NumReasons]int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.held, k.released
}

func newTestBuffer(t *testing.T, edit func(*Settings)) (*Buffer, *sink) {
	t.Helper()
	k := &sink{}
	set := Settings{Wait: time.Hour, MaxSpans: 1000, MaxTraces: 100, Claimers: []vocab.Claimer{testClaims}, Emit: k.Emit, Observer: k}
	if edit != nil {
		edit(&set)
	}
	b := New(set)
	t.Cleanup(func() { b.Shutdown(context.Background()) })
	return b, k
}

// tb builds batches of spans under one resource and scope. A request of
// trace n is a root SERVER span (span id 1, root), a claimed INTERNAL
// child (2, child) and an unclaimed grandchild (3, leaf).
type tb struct {
	td    ptrace.Traces
	spans ptrace.SpanSlice
}

func newTB(service string) *tb {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("scope-" + service)
	return &tb{td: td, spans: ss.Spans()}
}

func traceID(n int) pcommon.TraceID { return pcommon.TraceID{0xa, byte(n >> 8), byte(n)} }

func (b *tb) root(n int) ptrace.Span {
	s := b.spans.AppendEmpty()
	s.SetName("POST /token")
	s.SetKind(ptrace.SpanKindServer)
	s.SetTraceID(traceID(n))
	s.SetSpanID(pcommon.SpanID{1})
	return s
}

func (b *tb) child(n int) ptrace.Span {
	s := b.spans.AppendEmpty()
	s.SetName("TokenEndpoint.processGrantRequest")
	s.SetKind(ptrace.SpanKindInternal)
	s.SetTraceID(traceID(n))
	s.SetSpanID(pcommon.SpanID{2})
	s.SetParentSpanID(pcommon.SpanID{1})
	s.Attributes().PutBool(claimAttr, true)
	return s
}

func (b *tb) leaf(n int) ptrace.Span {
	s := b.spans.AppendEmpty()
	s.SetName("SELECT")
	s.SetKind(ptrace.SpanKindClient)
	s.SetTraceID(traceID(n))
	s.SetSpanID(pcommon.SpanID{3})
	s.SetParentSpanID(pcommon.SpanID{2})
	return s
}

// spanKeys lists (trace, span) of every span of td.
func spanKeys(td ptrace.Traces) []string {
	var out []string
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				out = append(out, s.TraceID().String()+"/"+s.SpanID().String())
			}
		}
	}
	return out
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	require.Eventually(t, f, 5*time.Second, 5*time.Millisecond, what)
}
