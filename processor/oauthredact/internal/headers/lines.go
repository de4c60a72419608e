// Package headers finds the credentials of HTTP headers: Authorization
// values (the credential after the scheme), Cookie and Set-Cookie values,
// header lines and "Bearer <token>" in free text.
package headers

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// Lines finds HTTP header lines in free text ("Cookie: sid=...",
// "Set-Cookie: ...", "Authorization: <token>") up to the end of the line.
// An Authorization value with a scheme word is left to Schemes; without
// one it must look like a token ("Authorization: required" stays).
func Lines(ks *keys.Set, out *finding.List, s string, i int) {
	for i >= 0 && i < len(s) {
		w := i
		for w > 0 && (ascii.IsAlnum(s[w-1]) || s[w-1] == '-' || s[w-1] == '_') {
			w--
		}
		if n := i - w; n >= 6 && n <= 19 && (w == 0 || !ascii.IsAlnum(s[w-1])) {
			var buf [64]byte
			lw := ascii.Lower(&buf, s[w:i])
			if ks.IsSecretWord(lw) {
				i = wordValue(out, s, i+1)
			} else if kind := keys.HeaderKind(lw); kind != keys.Text {
				start := i + 1
				for start < len(s) && ascii.IsBlank(s[start]) {
					start++
				}
				end := start
				for end < len(s) && s[end] != '\r' && s[end] != '\n' && s[end] != '"' && s[end] != '\\' {
					end++
				}
				InText(out, s, start, end, kind)
				i = end
			}
		}
		if i+1 >= len(s) {
			return
		}
		k := strings.IndexByte(s[i+1:], ':')
		if k < 0 {
			return
		}
		i += 1 + k
	}
}

// wordValue adds the value after "secret_key:" in free text (quoted, or a
// run of token bytes) and returns its end.
func wordValue(out *finding.List, s string, start int) int {
	for start < len(s) && ascii.IsBlank(s[start]) {
		start++
	}
	if finding.FingerprintAt(s, start) {
		return start
	}
	if start < len(s) && (s[start] == '"' || s[start] == '\'') {
		k := strings.IndexByte(s[start+1:], s[start])
		if k < 0 {
			return start
		}
		out.Add(start+1, start+1+k, s[start+1:start+1+k], true)
		return start + 1 + k
	}
	e := start
	if strings.HasPrefix(s[start:], contract.FingerprintPrefix) {
		// "fp:" + a raw value is not a fingerprint: take it whole, past
		// the ':' that would otherwise end the run
		e += len(contract.FingerprintPrefix)
	}
	for e < len(s) && (ascii.IsToken68(s[e]) || s[e] == '=') {
		e++
	}
	out.Add(start, e, s[start:e], true)
	return e
}

// InText runs the detector of a header kind on a header value found
// in free text (a header line or a logfmt pair).
func InText(out *finding.List, s string, start, end int, kind keys.Kind) {
	switch kind {
	case keys.Auth:
		AuthLine(out, s, start, end)
	case keys.Cookie:
		cookiePairs(out, s, start, end, false, true)
	case keys.SetCookie:
		cookiePairs(out, s, start, end, true, true)
	}
}
