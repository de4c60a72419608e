// Package jsontext finds the values of secret members in JSON text (also
// JSON escaped inside another JSON string) and in Python reprs, without
// parsing the text.
package jsontext

import (
	"encoding/json"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/headers"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// maxJSONDepth is the deepest JSON-in-a-JSON-string nesting searched: at
// depth n, quotes are preceded by 2^n-1 backslashes.
const maxJSONDepth = 4

// Scan finds "name": "value" members of JSON text, also JSON escaped
// inside another JSON string (\"name\":\"value\"), at any depth up to
// maxJSONDepth (\\\"name\\\":\\\"value\\\").
//
// With a single quote as quote it reads the same members written as Python
// reprs ({'access_token': '...'}).
func Scan(ks *keys.Set, out *finding.List, s string, i int, quote byte) {
	var noClose [1 << maxJSONDepth]bool // no closing quote with that many backslashes
	for ; i >= 0 && i < len(s); i++ {
		if s[i] != ':' {
			k := strings.IndexByte(s[i:], ':')
			if k < 0 {
				return
			}
			i += k
		}
		j := i - 1
		for j >= 0 && ascii.IsJSONBlank(s[j]) {
			j--
		}
		if j < 1 || s[j] != quote {
			continue
		}
		n := backslashesBefore(s, j) // the quotes' escape level
		if n >= len(noClose) {
			continue
		}
		escaped := n > 0
		nameEnd := j - n
		from := max(nameEnd-ks.MaxNameLen-1, 0) // bounded search: no longer name is secret
		q := strings.LastIndexByte(s[from:nameEnd], quote)
		if q < 0 {
			continue
		}
		q += from
		name := s[q+1 : nameEnd]
		if backslashesBefore(s, q) != n {
			continue
		}
		kind := ks.ParamKind(name)
		if kind == keys.Text {
			var buf [64]byte
			kind = ks.ClassifyLower(ascii.Lower(&buf, name))
		}
		if kind == keys.Text || kind == keys.Allow {
			continue
		}
		v := i + 1
		for v < len(s) && ascii.IsJSONBlank(s[v]) {
			v++
		}
		if !escaped && kind == keys.Secret && v < len(s) && s[v] == '[' {
			i = jsonStrings(ks, out, s, v+1, quote) - 1
			continue
		}
		var vs, ve int
		if escaped {
			vs = v + n + 1
			if vs > len(s) || s[vs-1] != quote || backslashesBefore(s, vs-1) != n || noClose[n] {
				continue
			}
			ve = -1
			for k := vs; k < len(s); k++ {
				q := strings.IndexByte(s[k:], quote)
				if q < 0 {
					break
				}
				k += q
				if backslashesBefore(s, k) == n {
					ve = k - n
					break
				}
			}
			if ve < 0 {
				noClose[n] = true // none for later members of this level either
				continue
			}
			// a quote escaped once more belongs to the value, raw
		} else {
			if v >= len(s) || s[v] != quote {
				continue
			}
			vs = v + 1
			ve = closingQuote(s, vs, quote)
			if ve < 0 {
				return // unterminated: no later value can be closed either
			}
		}
		switch kind {
		case keys.Secret:
			secret := s[vs:ve]
			if !escaped {
				secret = jsonDecoded(s, vs, ve, quote)
			}
			out.Add(vs, ve, secret, true)
		case keys.Auth:
			headers.AuthValue(out, s, vs, ve)
		case keys.Cookie:
			headers.CookieValue(out, s, vs, ve, false)
		case keys.SetCookie:
			headers.CookieValue(out, s, vs, ve, true)
		}
		i = ve
	}
}

// jsonDecoded returns the JSON string s[vs:ve] (between quotes) decoded.
func jsonDecoded(s string, vs, ve int, quote byte) string {
	raw := s[vs:ve]
	if quote == '"' && strings.IndexByte(raw, '\\') >= 0 {
		var d string
		if json.Unmarshal([]byte(s[vs-1:ve+1]), &d) == nil {
			return d
		}
	}
	return raw
}

// jsonStrings adds every string of the JSON array starting at s[p] (after
// its '[') as a secret, and returns where the array (or the strings) end.
func jsonStrings(ks *keys.Set, out *finding.List, s string, p int, quote byte) int {
	for p < len(s) {
		for p < len(s) && (ascii.IsJSONBlank(s[p]) || s[p] == ',') {
			p++
		}
		if p >= len(s) || s[p] != quote {
			return p
		}
		ve := closingQuote(s, p+1, quote)
		if ve < 0 {
			return len(s)
		}
		out.Add(p+1, ve, jsonDecoded(s, p+1, ve, quote), true)
		p = ve + 1
	}
	return p
}

// backslashesBefore counts the backslashes right before s[i].
func backslashesBefore(s string, i int) int {
	n := 0
	for i-n > 0 && s[i-n-1] == '\\' {
		n++
	}
	return n
}

// closingQuote returns the quote that closes a JSON string whose content
// starts at s[from] (skipping escaped bytes), or -1.
func closingQuote(s string, from int, quote byte) int {
	for k := from; k < len(s); k++ {
		if s[k] == '\\' {
			k++
			continue
		}
		if s[k] == quote {
			return k
		}
	}
	return -1
}
