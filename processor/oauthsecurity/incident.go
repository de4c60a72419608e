package oauthsecurity

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// A finding on a trace is one incident per event type, however many records
// and sources raise it (contract section 5): the records of a batch with
// findings wait in pending until the whole batch is inspected, so that
// detected findings claim their incident before reported ones.

// pending is a record with findings, annotated once the whole batch has been
// inspected.
type pending struct {
	attrs   pcommon.Map
	span    ptrace.Span
	isSpan  bool
	traceID pcommon.TraceID
	ts      pcommon.Timestamp
	// findBuf[from:mid] are detected, findBuf[mid:to] reported.
	from, mid, to int
}

// inspectOne inspects one record, rewrites the status of a reused refresh,
// and queues the record when it has findings.
func (d *detector) inspectOne(r *record, nowMs int64, sp ptrace.Span, isSpan bool, ts pcommon.Timestamp) {
	from := len(d.findBuf)
	r.previous, r.hasPrevious = r.attrs.Get(contract.AttrPreviousFingerprints)
	det, rep, rewrite := d.inspect(r, nowMs, d.findBuf, nil)
	if r.hasPrevious {
		// they served this lookup only: never exported
		contract.RemovePreviousFingerprints(r.attrs)
	}
	if rewrite {
		markReuseDetected(r.attrs)
	}
	if d.shared != nil {
		d.bindUses(r, sp, isSpan, ts)
	}
	if len(det) == from && len(rep) == 0 {
		d.findBuf = det
		return
	}
	mid := len(det)
	det = append(det, rep...)
	d.findBuf = det
	d.pending = append(d.pending, pending{
		attrs: r.attrs, span: sp, isSpan: isSpan, traceID: r.traceID, ts: ts,
		from: from, mid: mid, to: len(det),
	})
}

// claim reports whether f is the first finding of its event type on p's
// trace (an untraced record is its own incident), and records it.
func (d *detector) claim(p *pending, f *finding, nowMs int64) bool {
	if p.traceID.IsEmpty() {
		return true
	}
	tb := [16]byte(p.traceID)
	key := makeKey(&tb, kindIncident, uint8(f.rank))
	if _, ok := d.st.get(key, nowMs); ok {
		return false
	}
	d.st.put(key, packVal(nowMs, 0, kindIncident, false))
	return true
}

// resolve lets the batch's detected findings claim their incidents, then
// the reported ones, drops the findings that lost, and annotates the rest.
// It returns the findings annotated.
func (d *detector) resolve(nowMs int64) []contract.Mark {
	if len(d.pending) == 0 {
		return nil
	}
	keep := make([]bool, len(d.findBuf))
	for pass := 0; pass < 2; pass++ {
		for i := range d.pending {
			p := &d.pending[i]
			lo, hi := p.from, p.mid
			if pass == 1 {
				lo, hi = p.mid, p.to
			}
			for j := lo; j < hi; j++ {
				keep[j] = d.claim(p, &d.findBuf[j], nowMs)
			}
		}
	}
	var out []contract.Mark
	for i := range d.pending {
		p := &d.pending[i]
		marks := make([]contract.Mark, 0, p.to-p.from)
		for j := p.from; j < p.to; j++ {
			if keep[j] {
				marks = append(marks, d.findBuf[j].Mark)
			}
		}
		if len(marks) == 0 {
			continue
		}
		added := contract.AnnotateFindings(p.attrs, marks)
		if p.isSpan {
			contract.AddFindingEvents(p.span.Events(), added, p.ts)
		}
		out = append(out, added...)
	}
	// Do not keep the batch reachable until the next one.
	clear(d.pending)
	return out
}
