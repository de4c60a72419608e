package authplanespans

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/claims"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Spanned is a span with its resource's attributes.
type Spanned struct {
	Span ptrace.Span
	Res  pcommon.Map
}

// Index finds spans of one batch by trace and span id. It is built only
// for a batch that holds a service span.
type Index map[claims.Key]Spanned

// NewIndex indexes every span of td.
func NewIndex(td ptrace.Traces) Index {
	idx := make(Index, td.SpanCount())
	vocab.EachSpan(td, func(s ptrace.Span, res pcommon.Map) {
		idx[claims.KeyOf(s.TraceID(), s.SpanID())] = Spanned{s, res}
	})
	return idx
}

// maxDepth bounds the walk up a parent chain (and ends a cycle).
const maxDepth = 64

// Root returns the request root SERVER span above s (s itself when it is
// one), walking parents within the batch.
func (idx Index) Root(s ptrace.Span) (Spanned, bool) {
	cur, ok := idx[claims.KeyOf(s.TraceID(), s.SpanID())]
	for depth := 0; ok && depth < maxDepth; depth++ {
		if vocab.IsRequestRoot(cur.Span) {
			return cur, true
		}
		p := cur.Span.ParentSpanID()
		if p.IsEmpty() {
			break
		}
		cur, ok = idx[claims.KeyOf(s.TraceID(), p)]
	}
	return Spanned{}, false
}
