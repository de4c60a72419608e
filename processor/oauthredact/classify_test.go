package oauthredact

import (
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Every contract header attribute (prefix and header name) holds a
// credential, and every contract secret key is secret.
func TestClassifyContractNames(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	sc := r.get()
	defer r.put(t.Context(), sc, sigLogs)
	for _, p := range contract.HeaderAttrPrefixes {
		for _, h := range append(append([]string{}, contract.AuthHeaders...), contract.CookieHeaders...) {
			if k := sc.classify(p + h); k == kindText || k == kindAllow || k == kindSecret {
				t.Errorf("%s%s is %v", p, h, k)
			}
		}
	}
	for _, k := range append(append([]string{}, contract.SecretKeysAnywhere...), contract.SecretKeysPrefixedOnly...) {
		if !contract.IsSecretKey(k) || sc.classify(k) != kindSecret {
			t.Errorf("%s is not secret", k)
		}
	}
}

// URLs under the contract's URL keys have their secret parameters
// replaced (every string is searched for parameters, these included).
func TestURLKeys(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	for _, k := range contract.URLKeys {
		equalNoLeak(t, "https://app/cb?code="+fp(sTok)+"&x=1", redactOne(r, k, "https://app/cb?code="+sTok+"&x=1"), sTok)
	}
}
