package join

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
)

// scanned is what one pass over a batch finds.
type scanned struct {
	// wait: the traces with a claimed span whose request root is not in
	// the batch.
	wait traceSet
	// roots: the request roots in the batch of claimed spans, one per
	// trace, in order.
	roots []authplanespans.Spanned
	// idx indexes the batch; built only when a span is claimed.
	idx authplanespans.Index
}

// scan runs the claimers over td and looks up the request root of each
// claimed span (vocab.IsRequestRoot, walking parent ids within td). It
// allocates nothing when no span is claimed.
func scan(td ptrace.Traces, claimers []vocab.Claimer) scanned {
	var sc scanned
	vocab.EachSpan(td, func(s ptrace.Span, res pcommon.Map) {
		if claimed(claimers, s, res) {
			sc.add(td, s)
		}
	})
	return sc
}

// add looks up the request root of claimed span s of td.
func (sc *scanned) add(td ptrace.Traces, s ptrace.Span) {
	if sc.idx == nil {
		sc.idx = authplanespans.NewIndex(td)
	}
	if root, found := sc.idx.Root(s); found {
		sc.roots = appendRoot(sc.roots, root)
		return
	}
	if sc.wait == nil {
		sc.wait = traceSet{}
	}
	sc.wait[s.TraceID()] = struct{}{}
}

// appendRoot appends root unless roots has one of its trace (claimed
// traces per batch are few: a linear search is cheaper than a set).
func appendRoot(roots []authplanespans.Spanned, root authplanespans.Spanned) []authplanespans.Spanned {
	id := root.Span.TraceID()
	for _, r := range roots {
		if r.Span.TraceID() == id {
			return roots
		}
	}
	if roots == nil {
		roots = make([]authplanespans.Spanned, 0, 16)
	}
	return append(roots, root)
}

// claimed reports whether a claimer claims s.
func claimed(claimers []vocab.Claimer, s ptrace.Span, res pcommon.Map) bool {
	for _, c := range claimers {
		if c(s, res) {
			return true
		}
	}
	return false
}

// complete reports whether every claimed span of a held trace has its
// request root among the trace's held spans.
func complete(td ptrace.Traces, claimers []vocab.Claimer) bool {
	return len(scan(td, claimers).wait) == 0
}
