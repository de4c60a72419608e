package keys

import (
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

func TestMaxHeaderLen(t *testing.T) {
	n := 0
	for _, h := range headerNames {
		n = max(n, len(h.name))
	}
	if n != MaxHeaderLen {
		t.Fatalf("the longest header name has %d bytes, MaxHeaderLen is %d", n, MaxHeaderLen)
	}
}

func TestHeaderKindOfContractHeaders(t *testing.T) {
	for _, h := range contract.AuthHeaders {
		if k := HeaderKind([]byte(h)); k != Auth {
			t.Errorf("%s is %v", h, k)
		}
	}
	want := map[string]Kind{"cookie": Cookie, "set-cookie": SetCookie, "set_cookie": SetCookie, "proxy_authorization": Auth}
	for _, h := range contract.CookieHeaders {
		if _, ok := want[h]; !ok {
			t.Errorf("contract cookie header %q has no expected kind here", h)
		}
	}
	for h, k := range want {
		if got := HeaderKind([]byte(h)); got != k {
			t.Errorf("%s is %v, want %v", h, got, k)
		}
	}
	for _, p := range contract.HeaderAttrPrefixes {
		if k := HeaderKind([]byte(p + "set-cookie")); k != SetCookie {
			t.Errorf("%sset-cookie is %v", p, k)
		}
	}
	for _, h := range []string{"", "x-authorization", "cookies", "authorization.x", "content-type"} {
		if k := HeaderKind([]byte(h)); k != Text {
			t.Errorf("%q is %v, want text", h, k)
		}
	}
}
