package join

import (
	"context"
	"time"
)

// Start starts the timer that releases the traces whose wait passed.
func (b *Buffer) Start() {
	b.started = true
	var ctx context.Context
	ctx, b.cancelRun = context.WithCancel(context.Background())
	go b.run(ctx)
}

// run releases expired traces. The timer always fires at or before the
// oldest trace's deadline: every trace waits the same, so a trace held
// later expires later.
// ctx is cancelled by Shutdown, so a release to a next consumer that
// blocks (an exporter retrying) cannot hold Shutdown past its deadline.
func (b *Buffer) run(ctx context.Context) {
	defer close(b.stopped)
	t := time.NewTimer(b.set.Wait)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
		}
		expired, next := b.expire()
		b.emit(ctx, expired, Timeout)
		t.Reset(next)
	}
}

// expire takes the traces whose deadline passed, and returns how long
// until the next deadline (the wait when nothing is held).
func (b *Buffer) expire() ([]*entry, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx := context.Background()
	now := b.now()
	var out []*entry
	for e := b.st.head; e != nil && !e.deadline.After(now); e = b.st.head {
		b.take(ctx, e, Timeout)
		out = append(out, e)
	}
	b.held.Store(int64(b.st.traces()))
	if b.st.head == nil {
		return out, b.set.Wait
	}
	return out, b.st.head.deadline.Sub(now)
}

// Shutdown stops the timer and passes everything held on (Shutdown).
// Batches processed afterwards are not held.
func (b *Buffer) Shutdown(ctx context.Context) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	if b.started {
		close(b.done)
		select {
		case <-b.stopped:
		case <-ctx.Done():
			// The timer is stuck in a release: cancel it and go on
			// (what it was releasing is counted as refused if the next
			// consumer gives up).
			b.cancelRun()
			<-b.stopped
		}
		b.cancelRun()
	}
	b.mu.Lock()
	var all []*entry
	for e := b.st.head; e != nil; e = b.st.head {
		b.take(ctx, e, Shutdown)
		all = append(all, e)
	}
	b.held.Store(0)
	b.mu.Unlock()
	b.emit(ctx, all, Shutdown)
}
