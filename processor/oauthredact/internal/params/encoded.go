package params

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// ScanEncoded finds secret parameters of a URL that is itself
// percent-encoded inside another (return_to=https%3A%2F%2Fapp%2Fcb%3Fcode%3D…),
// once (%3D) or more (%253D). The secret is the value decoded once per level
// plus once more, as the inner URL's own parameter would be.
func ScanEncoded(ks *keys.Set, out *finding.List, s string) {
	for off := 0; off < len(s); {
		k := strings.IndexByte(s[off:], '%')
		if k < 0 {
			return
		}
		p := off + k
		q, level := p+1, 1
		for strings.HasPrefix(s[q:], "25") {
			q += 2
			level++
		}
		off = p + 1
		if q+2 > len(s) || s[q] != '3' || s[q+1]|0x20 != 'd' {
			continue
		}
		vs := q + 2
		off = vs
		j, esc := nameStart(s, p)
		if j >= p || ks.ParamKind(s[j:p]) != keys.Secret && (esc == j || esc >= p || ks.ParamKind(s[esc:p]) != keys.Secret) {
			continue
		}
		e := vs
		for e < len(s) && !paramEnd(s[e]) && !encodedDelim(s, e, level) {
			e++
		}
		if e > vs {
			secret := s[vs:e]
			for range level + 1 {
				secret = percentDecode(secret)
			}
			out.Add(vs, e, secret, true)
		}
		off = e
	}
}

// encodedDelim reports whether s[e:] is '&' or '#' percent-encoded at most
// level times (%26, %2526, ...): the end of a value at that level.
func encodedDelim(s string, e, level int) bool {
	if s[e] != '%' {
		return false
	}
	q := e + 1
	for range level {
		if strings.HasPrefix(s[q:], "26") || strings.HasPrefix(s[q:], "23") {
			return true
		}
		if !strings.HasPrefix(s[q:], "25") {
			return false
		}
		q += 2
	}
	return false
}
