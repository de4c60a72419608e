package keys

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// headerName is a header whose value is a credential, as a key or a word
// in free text may spell it.
type headerName struct {
	name string // lower case
	kind Kind
}

// headerNames are the contract's credential headers, each also with '_'
// for '-' (proxy_authorization, set_cookie: how some SDKs name them).
var headerNames = func() []headerName {
	var out []headerName
	add := func(names []string, kind func(string) Kind) {
		for _, n := range names {
			out = append(out, headerName{n, kind(n)})
			if u := strings.ReplaceAll(n, "-", "_"); u != n {
				out = append(out, headerName{u, kind(n)})
			}
		}
	}
	add(contract.AuthHeaders, func(string) Kind { return Auth })
	add(contract.CookieHeaders, func(n string) Kind {
		if strings.HasPrefix(n, "set-") {
			return SetCookie
		}
		return Cookie
	})
	return out
}()

// MaxHeaderLen is the length of the longest credential header name
// (proxy-authorization; a test holds it to headerNames): a longer word is
// no header.
const MaxHeaderLen = 19

// HeaderKind classifies a header name given in lower case, also as the
// last dotted segment of a key (http.request.header.authorization, any
// contract.HeaderAttrPrefixes or other prefix): Auth, Cookie, SetCookie or
// Text.
func HeaderKind(lk []byte) Kind {
	if i := lastIndexByte(lk, '.'); i >= 0 {
		lk = lk[i+1:]
	}
	for _, h := range headerNames {
		if string(lk) == h.name {
			return h.kind
		}
	}
	return Text
}

// AddHeaders adds every credential header name to f.
func AddHeaders(f *Filter) {
	for _, h := range headerNames {
		f.Add(h.name)
	}
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}
