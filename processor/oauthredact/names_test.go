package oauthredact

import "testing"

func TestNameIndex(t *testing.T) {
	var x nameIndex
	// same length, first and last byte: one bucket
	x.add("abc.x.z", kindSecret)
	x.add("ayy.y.z", kindAllow)
	x.add("oauth.code", kindSecret)
	if nameBit("abc.x.z") != nameBit("ayy.y.z") {
		t.Fatal("the two names should share a bucket")
	}
	for s, want := range map[string]keyKind{"ABC.X.Z": kindSecret, "ayy.Y.z": kindAllow, "OAuth.Code": kindSecret} {
		if got, ok := x.get(s); !ok || got != want {
			t.Errorf("get(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "a", "abd.x.z", "oauth.cod", "oauth.codes", "oauth_code"} {
		if _, ok := x.get(s); ok {
			t.Errorf("get(%q) found a name", s)
		}
	}
}

func TestAllowKeyOverridesSecretKey(t *testing.T) {
	cfg := testConfig()
	cfg.AllowKeys = []string{"OAuth.State"}
	r := newRules(cfg)
	if k, ok := r.keys.get("oauth.state"); !ok || k != kindAllow {
		t.Fatalf("oauth.state is %v, %v; allow_keys should win", k, ok)
	}
	if k, ok := r.keys.get("oauth.code"); !ok || k != kindSecret {
		t.Fatalf("oauth.code is %v, %v", k, ok)
	}
}
