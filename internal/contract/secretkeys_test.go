package contract

import "testing"

func TestIsSecretKey(t *testing.T) {
	for key, want := range map[string]bool{
		"access_token":        true,
		"ACCESS_TOKEN":        true,
		"oauth.access_token":  true,
		"OAuth.Refresh_Token": true,
		"id_token":            true,
		"oauth.id_token":      true,
		"code_verifier":       true,
		"client_secret":       true,
		"oauth.client_secret": true,
		"client_assertion":    true,
		"oauth.code":          true,
		"OAUTH.STATE":         true,
		"oauth.dpop.jti":      true,
		"oauth.DPoP.JTI":      true,
		// prefixed-only keys are ordinary data without the prefix
		"code":     false,
		"state":    false,
		"dpop.jti": false,
		// exact: no substring, suffix or doubled prefix
		"access_token_hint":                 false,
		"my_access_token":                   false,
		"oauth.oauth.access_token":          false,
		"oauth.":                            false,
		"oauth.access":                      false,
		"http.request.header.authorization": false,
		"":                                  false,
		"oauth.client_id":                   false,
		"oauth_access_token":                false,
	} {
		if got := IsSecretKey(key); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestSecretParamAttr(t *testing.T) {
	for name, want := range map[string]string{
		"code":                AttrCode,
		"CODE":                AttrCode,
		"oauth.code":          AttrCode,
		"state":               AttrState,
		"OAuth.State":         AttrState,
		"access_token":        AttrAccessToken,
		"oauth.access_token":  AttrAccessToken,
		"refresh_token":       AttrRefreshToken,
		"id_token":            AttrIDToken,
		"code_verifier":       AttrCodeVerifier,
		"client_secret":       "oauth.client_secret",
		"oauth.client_secret": "oauth.client_secret",
		"client_assertion":    "oauth.client_assertion",
		"oauth.dpop.jti":      AttrDPoPJTI,
		"OAUTH.DPOP.JTI":      AttrDPoPJTI,
		// dpop.jti is only secret under its full name
		"dpop.jti":         "",
		"jti":              "",
		"oauth.":           "",
		"oauth.oauth.code": "",
		"client_id":        "",
		"oauth.client_id":  "",
		"reuse_detection":  "",
		"":                 "",
		"codes":            "",
	} {
		if got := SecretParamAttr(name); got != want {
			t.Errorf("SecretParamAttr(%q) = %q, want %q", name, got, want)
		}
	}
}

// Every secret parameter maps to its own oauth.<param> attribute, which is a
// secret key.
func TestSecretParamAttrCoversParams(t *testing.T) {
	for _, p := range SecretParams {
		attr := SecretParamAttr(p)
		if attr != "oauth."+p {
			t.Errorf("SecretParamAttr(%q) = %q", p, attr)
		}
		if !IsSecretKey(attr) {
			t.Errorf("%q is a secret parameter's attribute but not a secret key", attr)
		}
	}
}

func TestSecretKeysDoNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		_ = IsSecretKey("OAuth.Refresh_Token")
		_ = IsSecretKey("http.request.header.authorization")
		_ = SecretParamAttr("OAuth.Client_Secret")
		_ = SecretParamAttr("oauth.dpop.jti")
	})
	if n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}
