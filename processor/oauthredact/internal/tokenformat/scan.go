package tokenformat

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
)

// Scan runs the token formats. One pass over s checks each pair of
// bytes against the first two bytes of every prefix; the anchored regexp of
// a pattern only runs where its whole prefix occurs.
func (t *Set) Scan(out *finding.List, s string) {
	if len(s) < t.minLen {
		return
	}
	for _, pi := range t.loose {
		scanPattern(out, s, &t.patterns[pi])
	}
	if !t.hasPairs {
		return
	}
	for i := 0; i+1 < len(s); i++ {
		pair := uint16(s[i]) | uint16(s[i+1])<<8
		if t.pairs[pair>>6]&(1<<(pair&63)) == 0 {
			continue
		}
		// every paired pattern starts at a word boundary: a pair inside a
		// word ("or" of "authorize") is no start
		if i > 0 && ascii.IsTokenByte(s[i-1]) {
			continue
		}
		for pi := range t.patterns {
			p := &t.patterns[pi]
			if !p.boundary || len(p.prefix) < 2 || !strings.HasPrefix(s[i:], p.prefix) {
				continue
			}
			if insideFingerprint(s, i) {
				continue
			}
			end := matchAt(out, s, i, p)
			if end < 0 {
				continue
			}
			i = end - 1
			break
		}
	}
}

// scanPattern runs one pattern over s: a user pattern (or one without a
// literal prefix) in a single unanchored pass once its prefix is present, a
// built-in one anchored at each of its prefix occurrences.
func scanPattern(out *finding.List, s string, p *pattern) {
	if p.prefix != "" && !strings.Contains(s, p.prefix) {
		return
	}
	if !p.boundary || p.prefix == "" {
		// one unanchored, linear-time pass (user patterns)
		for _, m := range p.re.FindAllStringSubmatchIndex(s, -1) {
			addMatch(out, s, m, 0, p)
		}
		return
	}
	for off := 0; off < len(s); {
		k := strings.Index(s[off:], p.prefix)
		if k < 0 {
			break
		}
		at := off + k
		off = at + 1
		if at > 0 && ascii.IsTokenByte(s[at-1]) || insideFingerprint(s, at) {
			continue
		}
		if end := matchAt(out, s, at, p); end >= 0 {
			off = end
		}
	}
}

// matchAt runs a prefixed pattern anchored at s[at:], records a match and
// returns where it ends, or -1.
func matchAt(out *finding.List, s string, at int, p *pattern) int {
	if p.match != nil {
		n := p.match(s[at:])
		if n < 0 {
			return -1
		}
		addSpan(out, s, at, at+n, p)
		return at + n
	}
	m := p.anchored.FindStringSubmatchIndex(s[at:])
	if m == nil {
		return -1
	}
	addMatch(out, s, m, at, p)
	return at + m[1]
}

func addMatch(out *finding.List, s string, m []int, at int, p *pattern) {
	start, end := m[0], m[1]
	if p.group && len(m) >= 4 && m[2] >= 0 {
		start, end = m[2], m[3]
	}
	addSpan(out, s, start+at, end+at, p)
}

func addSpan(out *finding.List, s string, start, end int, p *pattern) {
	if !p.boundary && insideFingerprint(s, start) {
		return
	}
	out.Add(start, end, s[start:end], false)
}

// insideFingerprint reports whether position i lies in exactly a
// fingerprint (so a second run never rewrites part of one); "fp:" followed
// by anything else is scanned like other text.
func insideFingerprint(s string, i int) bool {
	j := i
	// a fingerprint has 22 base64url bytes after "fp:": look no further back
	for j > 0 && i-j <= 22 && ascii.IsTokenByte(s[j-1]) {
		j--
	}
	return j >= 3 && s[j-3:j] == contract.FingerprintPrefix && finding.FingerprintAt(s, j-3)
}
