package headers

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
)

// CookieValue handles a Cookie (every value) or Set-Cookie (the first
// name=value only) header value at s[start:end].
func CookieValue(out *finding.List, s string, start, end int, set bool) {
	cookiePairs(out, s, start, end, set, false)
}

// cookiePairs is CookieValue; with needEq, a part without '=' is not a
// cookie (free text: "cookie: disabled"). Several Set-Cookie values folded
// into one string ("a=1; Path=/, b=2") are each handled.
func cookiePairs(out *finding.List, s string, start, end int, set, needEq bool) {
	for start < end {
		if set {
			next := foldedCookie(s, start, end)
			cookiePair(out, s, start, next, needEq)
			start = next + 1
			continue
		}
		start = cookiePair(out, s, start, end, needEq) + 1
	}
}

// cookiePair adds the value of the first name=value of s[start:end] and
// returns where that pair ends (its ';', or end).
func cookiePair(out *finding.List, s string, start, end int, needEq bool) int {
	pe := end
	if semi := strings.IndexByte(s[start:end], ';'); semi >= 0 {
		pe = start + semi
	}
	ps := start
	for ps < pe && s[ps] == ' ' {
		ps++
	}
	vs := ps
	if eq := strings.IndexByte(s[ps:pe], '='); eq >= 0 {
		vs = ps + eq + 1
	} else if needEq {
		vs = pe
	}
	ve := pe
	for ve > vs && s[ve-1] == ' ' {
		ve--
	}
	if ve-vs >= 2 && s[vs] == '"' && s[ve-1] == '"' {
		vs++
		ve--
	}
	out.Add(vs, ve, s[vs:ve], looksLikeSessionID(s[vs:ve]))
	return pe
}

// looksLikeSessionID reports whether a cookie value is worth searching for
// in the rest of the batch: long enough, with letters and digits (not a
// word, a number or a flag).
func looksLikeSessionID(v string) bool {
	if len(v) < finding.MinEchoLen {
		return false
	}
	letter, digit := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		letter = letter || 'a' <= c|0x20 && c|0x20 <= 'z'
		digit = digit || '0' <= c && c <= '9'
	}
	return letter && digit
}

// foldedCookie returns the ',' in s[start:end] that starts another cookie
// (", name="; not the comma of "Expires=Wed, 21 Oct ..."), or end.
func foldedCookie(s string, start, end int) int {
	for c := start; c < end; c++ {
		k := strings.IndexByte(s[c:end], ',')
		if k < 0 {
			break
		}
		c += k
		j := c + 1
		for j < end && s[j] == ' ' {
			j++
		}
		n := j
		for n < end && ascii.IsNameByte(s[n]) {
			n++
		}
		if n > j && n < end && s[n] == '=' {
			return c
		}
	}
	return end
}
