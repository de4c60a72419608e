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
	// claimed: the traces with a claimed span, each once, in order.
	claimed []pcommon.TraceID
	// idx indexes the batch; built only when a span is claimed.
	idx authplanespans.Index
}

// scan runs the claimers over td and looks up the request root of each
// claimed span (vocab.IsRequestRoot, walking parent ids within td). It
// allocates nothing when no span is claimed.
func scan(td ptrace.Traces, claims vocab.Claimer) scanned {
	var sc scanned
	vocab.EachSpan(td, func(s ptrace.Span, res pcommon.Map) {
		if !claims(s, res) {
			return
		}
		if sc.idx == nil {
			sc.idx = authplanespans.NewIndex(td)
		}
		id := s.TraceID()
		if n := len(sc.claimed); n == 0 || sc.claimed[n-1] != id {
			sc.claimed = appendNew(sc.claimed, id)
		}
		if _, found := sc.idx.Root(s); found {
			return
		}
		if sc.wait == nil {
			sc.wait = traceSet{}
		}
		sc.wait[id] = struct{}{}
	})
	return sc
}

// appendNew appends id unless ids holds it (claimed traces per batch are
// few: a linear search is cheaper than a set).
func appendNew(ids []pcommon.TraceID, id pcommon.TraceID) []pcommon.TraceID {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// complete reports whether every claimed span of a held trace has its
// request root among the trace's held spans.
func complete(td ptrace.Traces, claims vocab.Claimer) bool {
	return len(scan(td, claims).wait) == 0
}
