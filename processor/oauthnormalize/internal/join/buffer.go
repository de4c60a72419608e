package join

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
)

// Buffer is the join buffer of one traces pipeline. Process and the timer
// may run concurrently.
type Buffer struct {
	set Settings
	now func() time.Time

	mu     sync.Mutex
	st     *store
	closed bool
	// held mirrors the number of held traces for Process's lock-free
	// fast path.
	held atomic.Int64

	started       bool
	done, stopped chan struct{}
}

// New returns an empty buffer; Start starts its timer.
func New(set Settings) *Buffer {
	return &Buffer{set: set, now: time.Now, st: newStore(), done: make(chan struct{}), stopped: make(chan struct{})}
}

// Batch is what goes on to the mapping now.
type Batch struct {
	Traces ptrace.Traces
	// Index indexes Traces when a span of it is claimed (nil otherwise),
	// for the mapping to reuse.
	Index authplanespans.Index
	// Roots are the request roots of the claimed spans of Traces, one per
	// trace (a trace still held has none here).
	Roots []authplanespans.Spanned
}

// Process takes one batch. A batch whose claimed spans all have their
// request root in it, and that has no span of a held trace, goes on as it
// is. Otherwise the spans of each trace that still waits for its root are
// held, and each held trace whose root came goes on with the batch: its
// spans in the order they came (the batch's own spans of it last), before
// the rest of the batch. Traces the buffer has no room for are emitted
// (Overflow) before Process returns.
func (b *Buffer) Process(ctx context.Context, td ptrace.Traces) Batch {
	sc := scan(td, b.set.Claimers)
	if len(sc.wait) == 0 && b.held.Load() == 0 {
		return Batch{Traces: td, Index: sc.idx, Roots: sc.roots}
	}
	ready, evicted, changed := b.hold(td, sc.wait)
	if !changed {
		return Batch{Traces: td, Index: sc.idx, Roots: sc.roots}
	}
	b.emit(ctx, evicted, Overflow)
	out := ptrace.NewTraces()
	for _, r := range ready {
		r.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	sc = scan(out, b.set.Claimers)
	return Batch{Traces: out, Index: sc.idx, Roots: sc.roots}
}

// hold moves the spans of the waiting traces, and of the traces already
// held, from td into the store; it returns the held traces now complete
// and the oldest traces evicted to make room. changed is false when td
// was left as it is.
func (b *Buffer) hold(td ptrace.Traces, wait traceSet) (ready []ptrace.Traces, evicted []*entry, changed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, false
	}
	if b.st.traces() > 0 {
		vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
			if b.st.get(s.TraceID()) != nil {
				if wait == nil {
					wait = traceSet{}
				}
				wait[s.TraceID()] = struct{}{}
			}
		})
	}
	if len(wait) == 0 {
		return nil, nil, false
	}
	ctx := context.Background()
	for _, p := range extract(td, wait) {
		e := b.st.get(p.id)
		n := p.td.SpanCount()
		if e == nil {
			e = b.st.add(p.id, p.td, b.now().Add(b.set.Wait))
			b.set.Observer.Held(ctx, int64(n), 1)
		} else {
			b.st.merge(e, p.td)
			b.set.Observer.Held(ctx, int64(n), 0)
		}
		if complete(e.td, b.set.Claimers) {
			b.take(ctx, e, Root)
			ready = append(ready, e.td)
		}
	}
	for b.st.head != nil && (b.st.spans > b.set.MaxSpans || b.st.traces() > b.set.MaxTraces) {
		e := b.st.head
		b.take(ctx, e, Overflow)
		evicted = append(evicted, e)
	}
	b.held.Store(int64(b.st.traces()))
	return ready, evicted, true
}

// take removes e from the store for reason. The caller holds mu.
func (b *Buffer) take(ctx context.Context, e *entry, reason Reason) {
	b.st.remove(e)
	b.set.Observer.Held(ctx, -int64(e.spans), -1)
	b.set.Observer.Released(ctx, reason, 1)
}

// emit passes released entries on, as one batch in the order they were
// held.
func (b *Buffer) emit(ctx context.Context, es []*entry, reason Reason) {
	if len(es) == 0 {
		return
	}
	td := ptrace.NewTraces()
	var n int
	for _, e := range es {
		n += e.spans
		e.td.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	if err := b.set.Emit(ctx, td); err != nil {
		b.set.Observer.EmitFailed(ctx, reason, n, err)
	}
}
