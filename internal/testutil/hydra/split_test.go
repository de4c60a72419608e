package hydra

import (
	"math/rand/v2"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// twoTraces: per trace a root, two children and a grandchild under the
// second child, in two resources.
func twoTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	for tr := byte(1); tr <= 2; tr++ {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "hydra")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("scope")
		add := func(span, parent byte) {
			sp := ss.Spans().AppendEmpty()
			sp.SetTraceID(pcommon.TraceID{tr})
			sp.SetSpanID(pcommon.SpanID{span})
			if parent != 0 {
				sp.SetParentSpanID(pcommon.SpanID{parent})
			}
		}
		// Children first, as an exporter sends them (they end first).
		add(4, 3)
		add(2, 1)
		add(3, 1)
		add(1, 0)
	}
	return td
}

func TestSplitterOrderPutsChildrenBeforeParentsAndKeepsRootOrder(t *testing.T) {
	firstRootAt := map[int]int{}
	for seed := uint64(0); seed < 50; seed++ {
		s := &Splitter{rng: rand.New(rand.NewPCG(seed, seed))}
		pieces := s.order(SingleSpans(twoTraces()))
		if len(pieces) != 8 {
			t.Fatalf("seed %d: %d pieces, want 8", seed, len(pieces))
		}
		at := map[[2]byte]int{}
		for i, p := range pieces {
			if p.SpanCount() != 1 {
				t.Fatalf("seed %d: a piece of %d spans", seed, p.SpanCount())
			}
			rs := p.ResourceSpans().At(0)
			if v, _ := rs.Resource().Attributes().Get("service.name"); v.Str() != "hydra" || rs.ScopeSpans().At(0).Scope().Name() != "scope" {
				t.Fatalf("seed %d: resource or scope lost", seed)
			}
			sp := rs.ScopeSpans().At(0).Spans().At(0)
			at[[2]byte{sp.TraceID()[0], sp.SpanID()[0]}] = i
		}
		if len(at) != 8 {
			t.Fatalf("seed %d: %d distinct spans, want 8", seed, len(at))
		}
		for tr := byte(1); tr <= 2; tr++ {
			for child, parent := range map[byte]byte{2: 1, 3: 1, 4: 3} {
				if at[[2]byte{tr, child}] > at[[2]byte{tr, parent}] {
					t.Fatalf("seed %d: span %d of trace %d after its parent %d", seed, child, tr, parent)
				}
			}
		}
		if at[[2]byte{1, 1}] > at[[2]byte{2, 1}] {
			t.Fatalf("seed %d: the root of trace 2 overtook the root of trace 1", seed)
		}
		firstRootAt[at[[2]byte{1, 1}]]++
	}
	// Random: the first root is not always at the same place.
	if len(firstRootAt) < 2 {
		t.Fatalf("the order is not random: first root positions %v", firstRootAt)
	}
}

func TestSplitterOrderKeepsACycle(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, ids := range [][2]byte{{1, 2}, {2, 1}, {3, 0}} {
		sp := spans.AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{9})
		sp.SetSpanID(pcommon.SpanID{ids[0]})
		if ids[1] != 0 {
			sp.SetParentSpanID(pcommon.SpanID{ids[1]})
		}
	}
	s := &Splitter{rng: rand.New(rand.NewPCG(1, 1))}
	if got := len(s.order(SingleSpans(td))); got != 3 {
		t.Fatalf("%d pieces after a parent cycle, want 3", got)
	}
}
