package oauthredact

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/echo"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/headers"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/jsontext"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/params"
)

// scanner is the per-batch state: buffers reused across batches, the
// secrets found so far and the counts. It runs the detectors of the
// internal packages on each string and collects their findings.
type scanner struct {
	rules     *rules
	fp        *contract.Fingerprinter
	prev      []*contract.Fingerprinter // previous keys, newest first
	finds     finding.List
	out       []byte
	known     knownSecrets
	knownList []string
	minKnown  int
	keyCache  map[string]keyKind
	removes   []string
	echoing   bool // second pass: only the secrets already found
	recs      []echoRecord
	cands     []echoCandidate
	cur       int32 // record being walked, or -1
	walkAll   bool  // a candidate outside any record: walk everything again
	echo      echo.Index
	pos       position
	n         int // replacements in the current record
	counts    [numPositions]int64
}

// scanValue collects the findings of s, a value of the given kind.
func (sc *scanner) scanValue(s string, kind keyKind) {
	out := &sc.finds
	switch kind {
	case kindAllow:
	case kindSecret:
		out.Add(0, len(s), s, true)
	case kindAuth:
		headers.AuthValue(out, s, 0, len(s))
	case kindCookie:
		headers.CookieValue(out, s, 0, len(s), false)
	case kindSetCookie:
		headers.CookieValue(out, s, 0, len(s), true)
	default:
		sc.scanText(s)
	}
}

// scanText runs the free-text detectors. Each starts with a cheap byte
// search, so a string without '=', ':', ' ' or a token prefix costs a few
// vectorised scans.
func (sc *scanner) scanText(s string) {
	if len(s) < 7 {
		return
	}
	names, out := sc.rules.names, &sc.finds
	if strings.IndexByte(s, '=') >= 0 {
		params.Scan(names, out, s)
	}
	if strings.IndexByte(s, '%') >= 0 {
		params.ScanEncoded(names, out, s)
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		headers.Lines(names, out, s, i)
		params.Userinfo(out, s, i)
		if strings.IndexByte(s, '"') >= 0 {
			jsontext.Scan(names, out, s, i, '"')
		}
		if strings.IndexByte(s, '\'') >= 0 {
			jsontext.Scan(names, out, s, i, '\'')
		}
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		headers.Schemes(names, out, s, i)
	}
	sc.rules.formats.Scan(out, s)
}

// scanKnown finds, verbatim, the secrets already found in this batch.
func (sc *scanner) scanKnown(s string) {
	sc.echo.Scan(&sc.finds, s)
}
