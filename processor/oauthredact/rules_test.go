package oauthredact

import "testing"

func TestAllowKeyOverridesSecretKey(t *testing.T) {
	cfg := testConfig()
	cfg.AllowKeys = []string{"OAuth.State"}
	r := newRules(cfg)
	if k, ok := r.keys.Get("oauth.state"); !ok || k != kindAllow {
		t.Fatalf("oauth.state is %v, %v; allow_keys should win", k, ok)
	}
	if k, ok := r.keys.Get("oauth.code"); !ok || k != kindSecret {
		t.Fatalf("oauth.code is %v, %v", k, ok)
	}
}
