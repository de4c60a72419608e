package oauthredact

import (
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The second pass looks for echoes of the batch's secrets. Walking the
// whole batch again costs as much as the search itself, so the first pass
// notes every string that could hold an echo, with the record it belongs
// to; the second pass searches those strings and walks again only the
// records where it finds one. A record is a handle that stays valid while
// the batch is changed in place: a span (with its events and links), a log
// record, or the attributes of a resource or scope. Strings walked outside
// any record (metrics) make the second pass walk everything, as before.

// echoRecord is one record of the batch.
type echoRecord struct {
	span  ptrace.Span
	log   plog.LogRecord
	attrs pcommon.Map // a resource's or scope's attributes, at pos
	pos   position
	kind  recordKind
	dirty bool // holds an echo: walked again
}

type recordKind uint8

const (
	recNone recordKind = iota
	recSpan
	recLog
	recAttrs
)

// echoCandidate is a string of the first pass that may hold an echo.
type echoCandidate struct {
	s   string
	rec int32
}

// enter starts a record: the strings walked next belong to it.
func (sc *scanner) enter(rec echoRecord) {
	if sc.echoing {
		return
	}
	sc.recs = append(sc.recs, rec)
	sc.cur = int32(len(sc.recs) - 1)
}

// leave ends the record: strings walked next belong to none.
func (sc *scanner) leave() { sc.cur = -1 }

// candidate notes s (the value as the first pass leaves it) for the second
// pass.
func (sc *scanner) candidate(s string) {
	// A string that looks like a fingerprint is searched too: "fp:" and 22
	// more bytes can still hold a secret.
	if len(s) < finding.MinEchoLen {
		return
	}
	if sc.cur < 0 {
		sc.walkAll = true
		return
	}
	sc.cands = append(sc.cands, echoCandidate{s, sc.cur})
}

// echoRecords searches the noted strings and walks again the records that
// hold an echo.
func (r *redactor) echoRecords(sc *scanner) {
	for _, c := range sc.cands {
		rec := &sc.recs[c.rec]
		if rec.dirty {
			continue
		}
		sc.scanKnown(c.s)
		if len(sc.finds.Items) > 0 {
			rec.dirty = true
			sc.finds.Items = sc.finds.Items[:0]
		}
	}
	for i := range sc.recs {
		rec := &sc.recs[i]
		if !rec.dirty {
			continue
		}
		switch rec.kind {
		case recSpan:
			r.span(sc, rec.span)
		case recLog:
			r.logRecord(sc, rec.log)
		case recAttrs:
			sc.attrs(rec.attrs, rec.pos)
		}
	}
}

// forgetRecords drops the batch's records and candidates (strings of the
// batch must not outlive it).
func (sc *scanner) forgetRecords() {
	clear(sc.recs)
	sc.recs = sc.recs[:0]
	clear(sc.cands)
	sc.cands = sc.cands[:0]
	sc.cur = -1
	sc.walkAll = false
}
