package join

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// A batch whose claimed span has its root in it goes on as it is: the
// same Traces, indexed, nothing held.
func TestRootInBatchPassesAtOnce(t *testing.T) {
	b, k := newTestBuffer(t, nil)
	in := newTB("kc")
	in.child(1)
	in.root(1)
	out := b.Process(context.Background(), in.td)
	assert.Equal(t, in.td, out.Traces)
	assert.NotNil(t, out.Index)
	require.Len(t, out.Roots, 1)
	assert.Equal(t, traceID(1), out.Roots[0].Span.TraceID())
	assert.Equal(t, ptrace.SpanKindServer, out.Roots[0].Span.Kind())
	held, _ := k.snapshot()
	assert.Equal(t, [2]int64{0, 0}, held)

	plain := newTB("app")
	plain.root(2)
	out = b.Process(context.Background(), plain.td)
	assert.Nil(t, out.Index, "no claimed span, no index")
	assert.Empty(t, out.Roots)
}

// A child before its root is held, with the spans of its trace only, and
// goes on with the batch of its root: the trace's spans in the order they
// came, before the rest of the batch.
func TestHeldUntilRoot(t *testing.T) {
	b, k := newTestBuffer(t, nil)
	first := newTB("kc")
	first.child(1)
	first.leaf(1)
	first.root(2) // another trace, no claimed span: not held
	out := b.Process(context.Background(), first.td)
	assert.Equal(t, []string{traceID(2).String() + "/0100000000000000"}, spanKeys(out.Traces))
	held, _ := k.snapshot()
	assert.Equal(t, [2]int64{2, 1}, held)

	second := newTB("kc")
	second.root(3)
	second.root(1)
	out = b.Process(context.Background(), second.td)
	assert.Equal(t, []string{
		traceID(1).String() + "/0200000000000000", traceID(1).String() + "/0300000000000000",
		traceID(1).String() + "/0100000000000000", traceID(3).String() + "/0100000000000000",
	}, spanKeys(out.Traces), "the joined trace, root included, before the rest of the batch")
	assert.NotNil(t, out.Index)
	require.Len(t, out.Roots, 1)
	assert.Equal(t, traceID(1), out.Roots[0].Span.TraceID())
	// The held spans keep their resource and scope.
	rs := out.Traces.ResourceSpans().At(0)
	v, _ := rs.Resource().Attributes().Get("service.name")
	assert.Equal(t, "kc", v.Str())
	assert.Equal(t, "scope-kc", rs.ScopeSpans().At(0).Scope().Name())
	held, released := k.snapshot()
	assert.Equal(t, [2]int64{0, 0}, held)
	assert.Equal(t, int64(1), released[Root])
	assert.Empty(t, k.emitted)
}

// A batch of nothing but held spans leaves nothing to pass on; a later
// span of a held trace (not its root) joins it.
func TestLaterSpansJoinTheHeldTrace(t *testing.T) {
	b, _ := newTestBuffer(t, nil)
	a := newTB("kc")
	a.child(1)
	out := b.Process(context.Background(), a.td)
	assert.Equal(t, 0, out.Traces.ResourceSpans().Len())
	c := newTB("db")
	c.leaf(1)
	out = b.Process(context.Background(), c.td)
	assert.Equal(t, 0, out.Traces.ResourceSpans().Len())
	r := newTB("kc")
	r.root(1)
	out = b.Process(context.Background(), r.td)
	assert.Len(t, spanKeys(out.Traces), 3)
	assert.Equal(t, 3, out.Traces.ResourceSpans().Len(), "one resource per batch the spans came in")
}

func TestTimeoutPassesThrough(t *testing.T) {
	b, k := newTestBuffer(t, func(s *Settings) { s.Wait = 20 * time.Millisecond })
	b.Start()
	a := newTB("kc")
	a.child(1)
	a.leaf(1)
	b.Process(context.Background(), a.td)
	eventually(t, "released on timeout", func() bool { return k.emittedSpans() == 2 })
	held, released := k.snapshot()
	assert.Equal(t, [2]int64{0, 0}, held)
	assert.Equal(t, int64(1), released[Timeout])
	// The root, later, goes on alone: the held spans are not emitted again.
	r := newTB("kc")
	r.root(1)
	out := b.Process(context.Background(), r.td)
	assert.Len(t, spanKeys(out.Traces), 1)
	b.Shutdown(context.Background())
	assert.Equal(t, 2, k.emittedSpans())
}

func TestOverflowPassesTheOldestThrough(t *testing.T) {
	b, k := newTestBuffer(t, func(s *Settings) { s.MaxTraces = 2 })
	var out []Batch
	for n := 1; n <= 3; n++ {
		a := newTB("kc")
		a.child(n)
		out = append(out, b.Process(context.Background(), a.td))
	}
	assert.Zero(t, out[0].Traces.SpanCount()+out[1].Traces.SpanCount(), "held")
	// The oldest goes on with the batch that overflowed the buffer, not on
	// its own: that batch's sender gets the next consumer's answer.
	assert.Empty(t, k.emitted)
	assert.Equal(t, []string{traceID(1).String() + "/0200000000000000"}, spanKeys(out[2].Traces))
	assert.Equal(t, 1, out[2].Held, "the evicted span came from an earlier batch")
	_, released := k.snapshot()
	assert.Equal(t, int64(1), released[Overflow])

	b2, k2 := newTestBuffer(t, func(s *Settings) { s.MaxSpans = 3 })
	var last Batch
	for n := 1; n <= 2; n++ {
		a := newTB("kc")
		a.child(n)
		a.leaf(n)
		last = b2.Process(context.Background(), a.td)
	}
	assert.Equal(t, 2, last.Traces.SpanCount(), "the first trace left to keep 3 spans at most")
	assert.Equal(t, 2, last.Held)
	assert.Empty(t, k2.emitted)
	held, _ := k2.snapshot()
	assert.Equal(t, [2]int64{2, 1}, held)

	// A batch that overflows the buffer with its own trace: that trace
	// comes straight back, none of it counted as held before.
	b3, _ := newTestBuffer(t, func(s *Settings) { s.MaxSpans = 1 })
	a := newTB("kc")
	a.child(1)
	a.leaf(1)
	got := b3.Process(context.Background(), a.td)
	assert.Equal(t, 2, got.Traces.SpanCount())
	assert.Zero(t, got.Held)
}

func TestShutdownPassesEverythingThroughOnce(t *testing.T) {
	b, k := newTestBuffer(t, nil)
	b.Start()
	for n := 1; n <= 5; n++ {
		a := newTB("kc")
		a.child(n)
		a.leaf(n)
		b.Process(context.Background(), a.td)
	}
	assert.Equal(t, 0, k.emittedSpans())
	b.Shutdown(context.Background())
	assert.Equal(t, 10, k.emittedSpans())
	b.Shutdown(context.Background())
	assert.Equal(t, 10, k.emittedSpans(), "a second shutdown emits nothing")
	_, released := k.snapshot()
	assert.Equal(t, int64(5), released[Shutdown])
	// After shutdown nothing is held.
	a := newTB("kc")
	a.child(9)
	out := b.Process(context.Background(), a.td)
	assert.Len(t, spanKeys(out.Traces), 1)
}

func TestRefusedReleaseIsReported(t *testing.T) {
	b, k := newTestBuffer(t, nil)
	k.refuse = true
	a := newTB("kc")
	a.child(1)
	a.leaf(1)
	b.Process(context.Background(), a.td)
	b.Shutdown(context.Background())
	assert.Equal(t, 2, k.failed[Shutdown])
}

// Many goroutines send random cuts of many traces, children and roots in
// any order: every span comes out exactly once, in a returned batch or an
// emitted one.
func TestConcurrentCutsLoseNothing(t *testing.T) {
	b, k := newTestBuffer(t, func(s *Settings) { s.Wait = 5 * time.Millisecond; s.MaxTraces = 50 })
	b.Start()
	const traces = 400
	var (
		mu  sync.Mutex
		out []string
		wg  sync.WaitGroup
	)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			for n := g; n < traces; n += 4 {
				batches := []*tb{newTB("kc"), newTB("kc"), newTB("kc")}
				batches[rng.Intn(3)].child(n)
				batches[rng.Intn(3)].leaf(n)
				batches[rng.Intn(3)].root(n)
				for _, x := range batches {
					got := b.Process(context.Background(), x.td)
					mu.Lock()
					out = append(out, spanKeys(got.Traces)...)
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	b.Shutdown(context.Background())
	for _, td := range k.emitted {
		out = append(out, spanKeys(td)...)
	}
	seen := map[string]int{}
	for _, key := range out {
		seen[key]++
	}
	assert.Len(t, seen, traces*3)
	for key, n := range seen {
		if n != 1 {
			t.Fatalf("%s came out %d times", key, n)
		}
	}
	held, _ := k.snapshot()
	assert.Equal(t, [2]int64{0, 0}, held)
}

func ExampleBuffer() {
	b := New(Settings{Wait: time.Minute, MaxSpans: 100, MaxTraces: 10, Claimers: []vocab.Claimer{testClaims},
		Emit: func(context.Context, ptrace.Traces) error { return nil }, Observer: &sink{}})
	child, root := newTB("keycloak"), newTB("keycloak")
	child.child(1)
	root.root(1)
	fmt.Println(b.Process(context.Background(), child.td).Traces.SpanCount())
	fmt.Println(b.Process(context.Background(), root.td).Traces.SpanCount())
	// Output:
	// 0
	// 2
}
