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
	// cancelRun cancels the timer's context (set by Start).
	cancelRun context.CancelFunc
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
	// Held is how many spans of Traces were held from earlier batches
	// (whose senders were already answered): if the next consumer refuses
	// Traces, the sender retries only its own spans, so these are lost and
	// must be reported (Refused).
	Held int
}

// Process takes one batch. A batch whose claimed spans all have their
// request root in it, and that has no span of a held trace, goes on as it
// is. Otherwise the spans of each trace that still waits for its root are
// held, and each held trace whose root came goes on with the batch: its
// spans in the order they came (the batch's own spans of it last), before
// the rest of the batch. Traces the buffer has no room for (Overflow, the
// oldest first) go on with the batch too, first.
func (b *Buffer) Process(ctx context.Context, td ptrace.Traces) Batch {
	sc := scan(td, b.set.Claimers)
	if len(sc.wait) == 0 && b.held.Load() == 0 {
		return Batch{Traces: td, Index: sc.idx, Roots: sc.roots}
	}
	ready, held, evicted, changed := b.hold(td, sc.wait)
	if !changed {
		return Batch{Traces: td, Index: sc.idx, Roots: sc.roots}
	}
	// Evicted traces go on with this batch (unmapped: their root is not in
	// it), not on their own: the sender of this batch's spans among them
	// gets the next consumer's answer for them, all or nothing.
	out := ptrace.NewTraces()
	for _, e := range evicted {
		e.td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	for _, r := range ready {
		r.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	sc = scan(out, b.set.Claimers)
	return Batch{Traces: out, Index: sc.idx, Roots: sc.roots, Held: held}
}

// Refused reports that the next consumer refused a batch carrying held
// spans released with their root: those spans are lost.
func (b *Buffer) Refused(ctx context.Context, held int, err error) {
	if held > 0 {
		b.set.Observer.EmitFailed(ctx, Root, held, err)
	}
}

// hold moves the spans of the waiting traces, and of the traces already
// held, from td into the store; it returns the held traces now complete
// and the oldest traces evicted to make room (and how many spans of both
// came from earlier batches). changed is false when td was left as it is.
func (b *Buffer) hold(td ptrace.Traces, wait traceSet) (ready []ptrace.Traces, held int, evicted []*entry, changed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, 0, nil, false
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
		return nil, 0, nil, false
	}
	ctx := context.Background()
	// added: the spans this batch added to each held trace, for the count
	// of earlier spans of an evicted one.
	added := map[*entry]int{}
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
		added[e] += n
		if complete(e.td, b.set.Claimers) {
			b.take(ctx, e, Root)
			ready = append(ready, e.td)
			held += e.spans - added[e]
		}
	}
	for b.st.head != nil && (b.st.spans > b.set.MaxSpans || b.st.traces() > b.set.MaxTraces) {
		e := b.st.head
		b.take(ctx, e, Overflow)
		evicted = append(evicted, e)
		held += e.spans - added[e]
	}
	b.held.Store(int64(b.st.traces()))
	return ready, held, evicted, true
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
