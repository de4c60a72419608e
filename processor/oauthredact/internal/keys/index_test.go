package keys

import "testing"

func TestNameIndex(t *testing.T) {
	var x Index
	// same length, first and last byte: one bucket
	x.Add("abc.x.z", Secret)
	x.Add("ayy.y.z", Allow)
	x.Add("oauth.code", Secret)
	if Bit("abc.x.z") != Bit("ayy.y.z") {
		t.Fatal("the two names should share a bucket")
	}
	for s, want := range map[string]Kind{"ABC.X.Z": Secret, "ayy.Y.z": Allow, "OAuth.Code": Secret} {
		if got, ok := x.Get(s); !ok || got != want {
			t.Errorf("get(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "a", "abd.x.z", "oauth.cod", "oauth.codes", "oauth_code"} {
		if _, ok := x.Get(s); ok {
			t.Errorf("get(%q) found a name", s)
		}
	}
}
