package oauthsecurity

import (
	"context"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// inspectBatch runs walk over one batch (walk calls inspectOne per record)
// with d.mu held, then annotates the batch's findings and records the
// self-telemetry once the lock is released. The lock is taken and released
// here only, with defer: no return path can leave it held.
func (d *detector) inspectBatch(ctx context.Context, walk func(nowMs int64)) {
	found, evicted := d.inspectLocked(ctx, walk)
	d.record(ctx, found, evicted)
}

// inspectLocked is inspectBatch's critical section. It returns the findings
// annotated and the entries evicted meanwhile.
func (d *detector) inspectLocked(ctx context.Context, walk func(nowMs int64)) ([]contract.Mark, int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending, d.findBuf = d.pending[:0], d.findBuf[:0]
	nowMs := d.now().UnixMilli()
	evictedBefore := d.st.evictions
	walk(nowMs)
	if d.shared != nil {
		d.settleShared(ctx, nowMs)
	}
	found := d.resolve(nowMs)
	d.size.Store(int64(d.st.Len()))
	return found, d.st.evictions - evictedBefore
}
