package headers

import (
	"encoding/base64"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// AuthValue handles the value of an Authorization header at s[start:end]:
// the credential after the scheme word, or the whole value without one.
func AuthValue(out *finding.List, s string, start, end int) {
	for start < end && ascii.IsBlank(s[start]) {
		start++
	}
	for end > start && ascii.IsBlank(s[end-1]) {
		end--
	}
	if start >= end {
		return
	}
	v := s[start:end]
	if sp := strings.IndexAny(v, " \t"); sp > 0 {
		word := true
		for i := 0; i < sp; i++ {
			if !ascii.IsAlnum(v[i]) && v[i] != '-' && v[i] != '_' {
				word = false
				break
			}
		}
		if word {
			c := start + sp
			for c < end && ascii.IsBlank(s[c]) {
				c++
			}
			out.Add(c, end, s[c:end], true)
			return
		}
	}
	out.Add(start, end, v, true)
}

// AuthLine handles the value of an Authorization header line in free text:
// after a scheme word every credential of 8 bytes or more is secret; without
// one the value must look like a token ("Authorization: required" stays).
func AuthLine(out *finding.List, s string, start, end int) {
	e := credentialAt(s, start)
	if e == start || e < end && !ascii.IsBlank(s[e]) && s[e] != '\r' && s[e] != '\n' {
		return
	}
	if w := s[start:e]; strings.EqualFold(w, "bearer") || strings.EqualFold(w, "dpop") || strings.EqualFold(w, "basic") {
		c := e
		for c < end && ascii.IsBlank(s[c]) {
			c++
		}
		if ce := credentialAt(s, c); ce-c >= 8 {
			out.Add(c, ce, s[c:ce], true)
		}
		return
	}
	if looksLikeToken(s[start:e]) {
		out.Add(start, e, s[start:e], true)
	}
}

// credentialAt returns the end of a token68 credential starting at i, or i
// when there is none (or when it is an auth-param like realm="x").
func credentialAt(s string, i int) int {
	e := i
	if strings.HasPrefix(s[i:], contract.FingerprintPrefix) {
		// a fingerprint, or "fp:" + a raw value: the ':' belongs to it
		// (finding.List.Add leaves an exact fingerprint alone)
		e += len(contract.FingerprintPrefix)
	}
	for e < len(s) && ascii.IsToken68(s[e]) {
		e++
	}
	if e == i {
		return i
	}
	p := e
	for p < len(s) && s[p] == '=' {
		p++
	}
	if p > e && p < len(s) && (ascii.IsToken68(s[p]) || s[p] == '"') {
		return i // name=value: an auth-param, not a credential
	}
	return p
}

// Schemes finds "Bearer <token>", "DPoP <token>" and "Basic <user:pass
// in base64>" in free text.
func Schemes(ks *keys.Set, out *finding.List, s string, i int) {
	for i >= 0 && i < len(s) {
		w := i
		for w > 0 && ascii.IsAlnum(s[w-1]) {
			w--
		}
		scheme := s[w:i]
		if (w == 0 || !ascii.IsAlnum(s[w-1])) && (len(scheme) == 4 || len(scheme) == 5 || len(scheme) == 6) {
			bearer := strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "dpop")
			basic := !bearer && strings.EqualFold(scheme, "basic")
			if bearer || basic {
				c := i + 1
				for c < len(s) && ascii.IsBlank(s[c]) {
					c++
				}
				e := credentialAt(s, c)
				cred := s[c:e]
				var buf [64]byte
				keyNext := e < len(s) && s[e] == ':' && len(cred) <= len(buf) && ks.IsSecretWord(ascii.Lower(&buf, cred)) // "TokenType:Bearer RefreshToken:…"
				if !keyNext && (bearer && looksLikeToken(cred) || basic && looksLikeBasic(out, cred)) {
					out.Add(c, e, cred, false)
					i = e
				}
			}
		}
		if i+1 >= len(s) {
			return
		}
		k := strings.IndexByte(s[i+1:], ' ')
		if k < 0 {
			return
		}
		i += 1 + k
	}
}

// looksLikeToken tells a bearer credential from an ordinary word: at least
// 8 bytes, starting with a base64url byte, and not only lower-case letters
// ("Bearer authentication", "Bearer /api/users").
func looksLikeToken(c string) bool {
	if len(c) < 8 || !ascii.IsTokenByte(c[0]) {
		return false
	}
	for i := 0; i < len(c); i++ {
		if b := c[i]; b < 'a' || b > 'z' {
			return true
		}
	}
	return false
}

// looksLikeBasic reports whether c is base64 of "user:password".
func looksLikeBasic(out *finding.List, c string) bool {
	if len(c) < 4 || len(c) > 4096 {
		return false
	}
	enc := base64.StdEncoding
	if len(c)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	n := enc.DecodedLen(len(c))
	if cap(out.Scratch) < n {
		out.Scratch = make([]byte, n)
	}
	m, err := enc.Decode(out.Scratch[:n], []byte(c))
	if err != nil {
		return false
	}
	for _, b := range out.Scratch[:m] {
		if b == ':' {
			return true
		}
	}
	return false
}
