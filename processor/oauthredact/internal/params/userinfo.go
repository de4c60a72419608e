package params

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
)

// minUserToken is the shortest user part without a password that is taken
// for a credential (https://<token>@host, as git and some SDKs write a
// token); a shorter one (alice@) is a user name.
const minUserToken = 16

// Userinfo finds credentials in the userinfo of URLs (contract v2 section
// 2): in scheme://user:password@host the password, percent-decoded, is the
// secret and the user stays readable; a user part alone is secret only when
// it looks like a token (at least minUserToken token bytes, letters and
// digits mixed). i is the first ':' of s. A URL in JSON text whose
// slashes are escaped (https:\/\/client:secret@host) is read the same way.
func Userinfo(out *finding.List, s string, i int) {
	userinfoAfter(out, s, i, "://")
	if strings.Contains(s[i:], `:\/\/`) {
		userinfoAfter(out, s, i, `:\/\/`)
	}
}

// userinfoAfter reads the authority after every sep (the end of a scheme).
func userinfoAfter(out *finding.List, s string, i int, sep string) {
	for i >= 0 && i+len(sep) <= len(s) {
		k := strings.Index(s[i:], sep)
		if k < 0 {
			return
		}
		i = userinfoAt(out, s, i+k+len(sep))
	}
}

// userinfoAt reads the authority starting at s[start] and returns where
// it ends. The userinfo is what comes before its last '@'.
func userinfoAt(out *finding.List, s string, start int) int {
	at, e := -1, start
	for ; e < len(s) && !authorityEnd(s[e]); e++ {
		if s[e] == '@' {
			at = e
		}
	}
	if at <= start {
		return e
	}
	info := s[start:at]
	if contract.IsFingerprint(info) {
		return e // a user part already fingerprinted (a second run)
	}
	if c := strings.IndexByte(info, ':'); c >= 0 {
		out.Add(start+c+1, at, percentDecode(info[c+1:]), true)
		return e
	}
	if looksLikeToken(info) {
		out.Add(start, at, percentDecode(info), true)
	}
	return e
}

// authorityEnd reports whether c ends a URL's authority: the path, query or
// fragment starts, or a byte that cannot be in a URL (a blank, a quote, a
// JSON escape).
func authorityEnd(c byte) bool {
	switch c {
	case '/', '?', '#', '"', '\'', '<', '>', '\\', '`':
		return true
	}
	return c <= ' ' || c == 0x7f
}

// looksLikeToken reports whether a user part alone is a credential: long
// enough, token bytes only, and letters and digits mixed.
func looksLikeToken(u string) bool {
	if len(u) < minUserToken {
		return false
	}
	letter, digit := false, false
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case '0' <= c && c <= '9':
			digit = true
		case ascii.IsAlnum(c):
			letter = true
		case c != '-' && c != '_' && c != '.' && c != '~':
			return false
		}
	}
	return letter && digit
}
