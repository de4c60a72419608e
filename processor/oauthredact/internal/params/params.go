// Package params finds the values of secret parameters in URL queries and
// fragments, form-encoded bodies and logfmt, also inside a URL that is
// itself percent-encoded, header-named logfmt pairs, and the credentials in
// a URL's userinfo.
package params

import (
	"net/url"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/headers"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// paramEnd reports whether c ends a parameter value. Bytes that are not
// ASCII (UTF-8 or not) belong to the value: a raw state may carry them, and
// cutting there would leave the rest of the secret.
func paramEnd(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return true // controls and space
	}
	switch c {
	case '&', '#', ';', ',', ' ', '\t', '\r', '\n', '"', '\'', '<', '>', '\\':
		return true
	}
	return false
}

// Scan finds name=value pairs of secret parameters: URL queries and
// fragments, form-encoded bodies, logfmt. A value ends at a delimiter; a
// JSON-escaped slash (\/) belongs to it.
func Scan(ks *keys.Set, out *finding.List, s string) {
	for i := strings.IndexByte(s, '='); i >= 0; {
		if j, esc := nameStart(s, i); j < i && (ks.ParamKind(s[j:i]) == keys.Secret || esc != j && esc < i && ks.ParamKind(s[esc:i]) == keys.Secret) {
			vs, e, slash := i+1, i+1, false
			if e < len(s) && (s[e] == '"' || s[e] == '\'') {
				// quoted (logfmt, keyword arguments): up to the closing quote
				if k := strings.IndexByte(s[e+1:], s[e]); k >= 0 {
					vs, e = e+1, e+1+k
				}
			} else {
				for e < len(s) && !paramEnd(s[e]) || e+1 < len(s) && s[e] == '\\' && s[e+1] == '/' {
					if s[e] == '\\' {
						slash = true
						e++
					}
					e++
				}
			}
			if e > vs {
				raw := s[vs:e]
				if slash {
					raw = strings.ReplaceAll(raw, `\/`, "/")
				}
				out.Add(vs, e, percentDecode(raw), true)
			}
			i = e
		} else if e := headerParam(ks, out, s, j, i); e > i {
			i = e
		} else {
			i++
		}
		if i >= len(s) {
			return
		}
		k := strings.IndexByte(s[i:], '=')
		if k < 0 {
			return
		}
		i += k
	}
}

// headerParam handles name=value in logfmt text where the name (or its last
// dotted segment) is an Authorization or cookie header:
// cookie="sid=…; theme=…", http.request.header.authorization="Bearer …". The
// value is quoted, or ends at a blank. It returns the end of the value, or i
// when the name is no such header.
func headerParam(ks *keys.Set, out *finding.List, s string, j, i int) int {
	seg := s[j:i]
	seg = seg[strings.LastIndexByte(seg, '.')+1:]
	if len(seg) > 19 || !ks.HeaderFilter.May(seg) {
		return i
	}
	var buf [64]byte
	kind := keys.HeaderKind(ascii.Lower(&buf, seg))
	if kind == keys.Text {
		return i
	}
	vs, ve := i+1, i+1
	if vs < len(s) && s[vs] == '"' {
		k := strings.IndexByte(s[vs+1:], '"')
		if k < 0 {
			return i
		}
		vs++
		ve = vs + k
	} else {
		for ve < len(s) && !ascii.IsBlank(s[ve]) && s[ve] != '\r' && s[ve] != '\n' && s[ve] != '"' {
			ve++
		}
	}
	headers.InText(out, s, vs, ve, kind)
	return ve
}

// percentDecode decodes %XX escapes of a query or form value (the contract
// hashes the percent-decoded value; '+' is kept, as base64 tokens carry it
// unescaped). An invalid escape leaves the value as it is.
func percentDecode(v string) string {
	if strings.IndexByte(v, '%') < 0 {
		return v
	}
	d, err := url.PathUnescape(v)
	if err != nil {
		return v
	}
	return d
}
