package oauthredact

import (
	"context"
	"strings"
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// FuzzScan drives the string scanner with arbitrary bytes under every key
// kind: it must not panic, must leave a string without findings untouched,
// and must be idempotent (redacting its own output changes nothing, as when
// the agent and the gateway both run the processor).
func FuzzScan(f *testing.F) {
	seeds := []string{
		"", "plain text", "\xff\xfe\x00 code=", "https://app/cb?code=abc123def456&state=xyz789uvw012",
		"/cb#access_token=Ab3dE5fG7hJ9kL1m&token_type=bearer", "code=ab%2Fcd%3D&x=1", "code=%zz",
		"grant_type=refresh_token&refresh_token=Xy7kP2mQ9vL4nR8sT1wZ&client_secret=s3cr3t-value",
		`{"access_token":"Xy7kP2mQ9vL4nR8s","expires_in":3600}`, `{"id_token":"ab\/cd\"ef"}`,
		`{"msg":"{\"refresh_token\":\"Xy7kP2mQ9vL4nR8s\"}"}`, `{"state": "`, `"code":`, `\"code\":\"`,
		"Authorization: Bearer Xy7kP2mQ9vL4nR8sT1wZ", "Basic Y2xpZW50OnNlY3JldA==", "DPoP eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln",
		`Bearer realm="api", error="invalid_token"`, "Bearer ", "Basic ====", "sid=abc; theme=dark", "sid=\"q\"; Path=/; HttpOnly", ";;=;",
		"token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig expired", "eyJ.eyJ.", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
		"github_pat_11ABCDEFG0123456789_abcdefghij", "glpat-Abc123Def456Ghi789Jkl0", "ya29.a0AfH6SMBx-example_Token_12345",
		"1//0gExampleRefreshToken_1234567890", "xoxb-1234567890-0987654321-AbCdEf", "AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A",
		"code=fp:KMEL2mQi-OF_KZNbBTzNiw", "fp:AKIAIOSFODNN7EXAMPLEAAAA", "a fp:ghp_abcdefghijklmnopqrstuvwxyz0123456789",
		"Cookie: sid=abc; theme\r\nAuthorization: Xy7kP2mQ9vL4nR8s\r\n", "Set-Cookie:", "authorization:", "cookie: ;=;",
		"code=[REDACTED]", "caf\xc3\xa9 ?state=\xff\xfe", strings.Repeat("=", 64), strings.Repeat("bearer ", 20),
		// the credential also occurs inside the scheme word: the echo pass
		// must not cut that word, or a second pass reads the header anew
		"aaaaaaaaa000000000000000000000000000000 aaaaaaa00", "_aaaaaaaa aaaaaaaa",
		// contract v2: URL userinfo, Ory tokens, Hydra's \u0026-separated Location
		"https://client:s3cr3t-value@as.example/token", "https://a1B2c3D4e5F6g7H8i9J0@git.example/", "x://:@", "https://u:p%zz@h/", "a://b@c://d:e@f",
		"ory_at_Zm9vYmFyYmF6cXV4LXF1dXg.c2lnbmF0dXJl", "ory_rt_Zm9vYmFyYmF6cXV4", "ory_ac_x.y",
		`{"location":"http://127.0.0.1:5555/cb?code=ory_ac_Zm9vYmFyYmF6cXV4LXF1dXg.c2ln\u0026scope=openid\u0026state=St4teValue9xKq2L"}`,
	}
	for _, n := range contract.SecretParams {
		seeds = append(seeds, n+"=Xy7kP2mQ9vL4nR8sT1wZ&client_id=web", `{"`+n+`":"Xy7kP2mQ9vL4nR8s"}`)
	}
	for _, s := range seeds {
		for kind := range uint8(6) {
			f.Add(s, kind)
		}
	}
	r, err := newRedactor(testConfig(), testSettings())
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		kind := keyKind(k % 6)
		sc := r.get()
		defer r.put(ctx, sc, sigLogs)

		sc.scanValue(s, kind)
		found := len(sc.finds.Items)
		out, n := sc.apply(s)
		if found == 0 && (n != 0 || out != s) {
			t.Fatal("a string without findings was changed")
		}
		if n > found {
			t.Fatal("more replacements than findings")
		}
		// second pass, as for the rest of the batch
		if len(sc.knownList) > 0 {
			sc.echoing = true
			sc.echo.Build(sc.knownList, sc.minKnown)
			sc.scanKnown(out)
			out, _ = sc.apply(out)
			sc.echoing = false
		}
		// idempotent
		again, m := sc.str(out, kind)
		if m || again != out {
			t.Fatalf("not idempotent under kind %d (%d -> %d bytes)", kind, len(out), len(again))
		}
	})
}
