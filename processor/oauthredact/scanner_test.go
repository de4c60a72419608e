package oauthredact

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Fixture secrets. They are fake, but are still never printed.
const (
	sTok   = "Xy7kP2mQ9vL4nR8sT1wZ"
	sTok2  = "Ab3dE5fG7hJ9kL1mN3pQ"
	sJWT   = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dGhpcyBpcyBhIHNpZ25hdHVyZQ"
	sGH    = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789"
	sGHPAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuv"
	sGL    = "glpat-" + "Abc123Def456Ghi789Jkl0"
	sGoo   = "ya29." + "a0AfH6SMBx-example_Token_1234567890"
	sGooRT = "1//0" + "gExampleRefreshToken_1234567890abc"
	sSlack = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKl"
	sAWS   = "AKIA" + "IOSFODNN7EXAMPLE"
	sAWST  = "ASIA" + "Y34FZKBOKMUTVV7A"
	sLow   = "qwertyuiop" + "asdfghjklz"
	sJWE   = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0" + "..aXZpdml2aXY.Y2lwaGVydGV4dA.dGFndGFn"
	sJWE5  = "eyJhbGciOiJSU0EtT0FFUCJ9" + ".ZW5jcnlwdGVka2V5.aXZpdml2aXY.Y2lwaGVydGV4dA.dGFndGFn"
)

type detectorCase struct{ name, key, in, want string }

// basicCred is a Basic credential (base64 of client:sTok).
var basicCred = base64.StdEncoding.EncodeToString([]byte("client:" + sTok))

// detectorSecrets are the fixture secrets of detectorCases.
var detectorSecrets = []string{sTok, sTok2, sJWT, sJWE, sJWE5, sGH, sGL, sGoo, sSlack, sAWS, sLow, basicCred}

// detectorCases: one input per detector and shape, and what the default
// config makes of it.
func detectorCases() []detectorCase {
	basic := basicCred
	return []detectorCase{
		// contract keys (section 2)
		{"key access_token", "access_token", sTok, fp(sTok)},
		{"key oauth.refresh_token any case", "OAuth.Refresh_Token", sTok, fp(sTok)},
		{"key id_token", "id_token", sJWT, fp(sJWT)},
		{"key code_verifier", "oauth.code_verifier", sTok, fp(sTok)},
		{"key client_secret", "client_secret", sTok, fp(sTok)},
		{"key client_assertion", "oauth.client_assertion", sTok, fp(sTok)},
		{"key oauth.code", "oauth.code", sTok, fp(sTok)},
		{"key oauth.state", "oauth.state", sTok, fp(sTok)},
		{"key oauth.dpop.jti", "oauth.dpop.jti", sTok, fp(sTok)},
		{"bare state is plain", "state", "active", "active"},
		{"bare code is plain", "code", sTok, sTok},
		{"suffix is not the key", "access_token_expires_at", "1700000000", "1700000000"},
		{"fingerprint left alone", "oauth.code", fp(sTok), fp(sTok)},
		{"empty left alone", "oauth.code", "", ""},
		// URLs: query and fragment, percent-decoded
		{"url query", "url.full", "https://app/cb?code=" + sTok + "&state=" + sTok2, "https://app/cb?code=" + fp(sTok) + "&state=" + fp(sTok2)},
		{"url fragment implicit flow", "url.full", "https://app/cb#access_token=" + sTok + "&token_type=bearer", "https://app/cb#access_token=" + fp(sTok) + "&token_type=bearer"},
		{"url percent-decoded", "http.url", "/cb?code=ab%2Fcd%3D&x=1", "/cb?code=" + fp("ab/cd=") + "&x=1"},
		{"url.query", "url.query", "state=" + sTok + "&page=2", "state=" + fp(sTok) + "&page=2"},
		{"url in free text", "", "redirect to https://app/cb?code=" + sTok + " failed", "redirect to https://app/cb?code=" + fp(sTok) + " failed"},
		{"url param case-insensitive", "", "/cb?Code=" + sTok, "/cb?Code=" + fp(sTok)},
		{"param after an escaped '?'", "", "next=/cb%3Fcode=" + sTok, "next=/cb%3Fcode=" + fp(sTok)},
		{"param after JSON \\u0026", "", `{"url":"/cb?x=1\u0026code=` + sTok + `"}`, `{"url":"/cb?x=1\u0026code=` + fp(sTok) + `"}`},
		{"param after JSON \\n", "", `{"msg":"line\ncode=` + sTok + `"}`, `{"msg":"line\ncode=` + fp(sTok) + `"}`},
		{"param after punctuation", "", "<code=" + sTok + "> params:state=" + sTok2, "<code=" + fp(sTok) + "> params:state=" + fp(sTok2)},
		{"param value with JSON-escaped slash", "", `{"u":"https:\/\/a\/cb?code=ab\/` + sTok + `"}`, `{"u":"https:\/\/a\/cb?code=` + fp("ab/"+sTok) + `"}`},
		{"param after a path backslash", "", `dir C:\code=` + sTok, `dir C:\code=` + fp(sTok)},
		{"url-encoded URL in a parameter", "url.full", "https://idp/login?return_to=https%3A%2F%2Fapp%2Fcb%3Fcode%3D" + sTok + "%26state%3Dab%252Fcd&x=1", "https://idp/login?return_to=https%3A%2F%2Fapp%2Fcb%3Fcode%3D" + fp(sTok) + "%26state%3D" + fp("ab/cd") + "&x=1"},
		{"lower-case escapes", "", "r=%2fcb%3fcode%3d" + sTok, "r=%2fcb%3fcode%3d" + fp(sTok)},
		{"double-encoded URL", "url.full", "/l?next=%2Fx%3Fr%3D%252Fcb%253Fcode%253D" + sTok + "%2526state%253D" + sTok2 + "%26y%3D1", "/l?next=%2Fx%3Fr%3D%252Fcb%253Fcode%253D" + fp(sTok) + "%2526state%253D" + fp(sTok2) + "%26y%3D1"},
		{"encoded benign", "", "r=%2Fcb%3Fpage%3D2%26encode%3Dx", "r=%2Fcb%3Fpage%3D2%26encode%3Dx"},
		{"logfmt quoted param", "", `msg="refresh" refresh_token="` + sTok + `" state='` + sTok2 + `'`, `msg="refresh" refresh_token="` + fp(sTok) + `" state='` + fp(sTok2) + `'`},
		{"python kwargs", "", `refresh(refresh_token='` + sTok + `')`, `refresh(refresh_token='` + fp(sTok) + `')`},
		{"encode is not code", "", "x:encode=abcdefgh", "x:encode=abcdefgh"},
		{"url benign params", "url.full", "https://app/items?page=2&sort=asc&encode=x", "https://app/items?page=2&sort=asc&encode=x"},
		{"url idempotent", "url.full", "https://app/cb?code=" + fp(sTok), "https://app/cb?code=" + fp(sTok)},
		// form-encoded
		{"form body", "http.request.body", "grant_type=refresh_token&refresh_token=" + sTok + "&client_secret=" + sTok2, "grant_type=refresh_token&refresh_token=" + fp(sTok) + "&client_secret=" + fp(sTok2)},
		{"form plus kept", "", "code_verifier=a+b%2B", "code_verifier=" + fp("a+b+")},
		// JSON text
		{"json", "", `{"access_token":"` + sTok + `","token_type":"Bearer","expires_in":3600}`, `{"access_token":"` + fp(sTok) + `","token_type":"Bearer","expires_in":3600}`},
		{"json spaces and state", "", `{ "state" : "` + sTok + `" }`, `{ "state" : "` + fp(sTok) + `" }`},
		{"json escaped value", "", `{"id_token":"ab\/cd"}`, `{"id_token":"` + fp("ab/cd") + `"}`},
		{"json inside json", "", `{"msg":"{\"refresh_token\":\"` + sTok + `\"}"}`, `{"msg":"{\"refresh_token\":\"` + fp(sTok) + `\"}"}`},
		{"json inside json inside json", "", `{"a":"{\"b\":\"{\\\"refresh_token\\\":\\\"` + sTok + `\\\"}\"}"}`, `{"a":"{\"b\":\"{\\\"refresh_token\\\":\\\"` + fp(sTok) + `\\\"}\"}"}`},
		{"json inside json, escaped quote in value", "", `{"m":"{\"code\":\"ab\\\"` + sTok + `\"}"}`, `{"m":"{\"code\":\"` + fp(`ab\\\"`+sTok) + `\"}"}`},
		{"python dict repr", "", `resp: {'access_token': '` + sTok + `', 'token_type': 'Bearer', "id_token": "` + sTok2 + `"}`, `resp: {'access_token': '` + fp(sTok) + `', 'token_type': 'Bearer', "id_token": "` + fp(sTok2) + `"}`},
		{"apostrophes in prose", "", "it's: don't 'code': stop", "it's: don't 'code': stop"},
		{"json pretty-printed", "", "{\n  \"access_token\"\n    :\n    \"" + sTok + "\"\r\n}", "{\n  \"access_token\"\n    :\n    \"" + fp(sTok) + "\"\r\n}"},
		{"json array under a secret name", "", `{"id_token": ["` + sTok + `", "` + sTok2 + `"], "code": []}`, `{"id_token": ["` + fp(sTok) + `", "` + fp(sTok2) + `"], "code": []}`},
		{"json header", "", `{"Authorization":"Bearer ` + sTok + `"}`, `{"Authorization":"Bearer ` + fp(sTok) + `"}`},
		// contract v2 section 3: only exactly a fingerprint is left alone; a
		// value that merely starts with fp: is fingerprinted whole
		{"json fp: look-alike", "", `{"user":"bob","state":"fp:x"}`, `{"user":"bob","state":"` + fp("fp:x") + `"}`},
		{"json fingerprint kept", "", `{"user":"bob","state":"` + fp(sTok) + `"}`, `{"user":"bob","state":"` + fp(sTok) + `"}`},
		{"fp: prefixed raw token in a URL", "", "/cb?code=fp:" + sTok + "&x=1", "/cb?code=" + fp("fp:"+sTok) + "&x=1"},
		{"fp: prefixed raw token after a secret word", "", "refresh_token: fp:" + sTok + " rejected", "refresh_token: " + fp("fp:"+sTok) + " rejected"},
		{"fp: prefixed GitHub token in free text", "", "using fp:" + sGH, "using fp:" + fp(sGH)},
		{"fp: prefixed attribute value", "oauth.refresh_token", "fp:" + sTok, fp("fp:" + sTok)},
		{"fp: prefixed bearer credential", "http.request.header.authorization", "Bearer fp:" + sTok, "Bearer " + fp("fp:"+sTok)},
		{"fp: prefixed bearer in free text", "", "Authorization: Bearer fp:" + sTok + " rejected", "Authorization: Bearer " + fp("fp:"+sTok) + " rejected"},
		{"fp: prefixed cookie value", "http.request.header.cookie", "sid=fp:" + sTok, "sid=" + fp("fp:"+sTok)},
		{"fp: prefixed JSON member", "", `{"code":"fp:` + sTok + `"}`, `{"code":"` + fp("fp:"+sTok) + `"}`},
		// Authorization values
		{"authorization bearer", "http.request.header.authorization", "Bearer " + sTok, "Bearer " + fp(sTok)},
		{"authorization basic", "Authorization", "Basic " + basic, "Basic " + fp(basic)},
		{"authorization dpop", "authorization", "DPoP " + sJWT, "DPoP " + fp(sJWT)},
		{"proxy-authorization", "http.request.header.proxy-authorization", "Bearer " + sTok, "Bearer " + fp(sTok)},
		{"authorization no scheme", "authorization", sTok, fp(sTok)},
		{"bearer in free text", "", "call failed: Authorization: Bearer " + sTok + " rejected", "call failed: Authorization: Bearer " + fp(sTok) + " rejected"},
		{"basic in free text", "", "sent Basic " + basic, "sent Basic " + fp(basic)},
		{"bearer word is not a token", "", "Bearer authentication failed", "Bearer authentication failed"},
		{"basic word is not a token", "", "Basic authentication failed", "Basic authentication failed"},
		{"www-authenticate params", "", `Bearer realm="api", error="invalid_token"`, `Bearer realm="api", error="invalid_token"`},
		// cookies
		{"cookie", "http.request.header.cookie", "sid=" + sTok + "; theme=" + sTok2, "sid=" + fp(sTok) + "; theme=" + fp(sTok2)},
		{"set-cookie", "http.response.header.set-cookie", "sid=" + sTok + "; Path=/; HttpOnly", "sid=" + fp(sTok) + "; Path=/; HttpOnly"},
		{"set-cookie folded", "set-cookie", "a=" + sTok2 + "; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, sid=" + sTok + "; HttpOnly", "a=" + fp(sTok2) + "; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, sid=" + fp(sTok) + "; HttpOnly"},
		{"set-cookie folded without attributes", "set-cookie", "a=" + sTok2 + ", sid=" + sTok, "a=" + fp(sTok2) + ", sid=" + fp(sTok)},
		{"set-cookie quoted", "set-cookie", `sid="` + sTok + `"; Secure`, `sid="` + fp(sTok) + `"; Secure`},
		// header lines in free text
		{"cookie line", "", "request headers:\nCookie: sid=" + sTok + "; theme=" + sTok2 + "\nAccept: */*", "request headers:\nCookie: sid=" + fp(sTok) + "; theme=" + fp(sTok2) + "\nAccept: */*"},
		{"set-cookie line", "", "Set-Cookie: sid=" + sTok + "; Path=/; HttpOnly", "Set-Cookie: sid=" + fp(sTok) + "; Path=/; HttpOnly"},
		{"authorization line raw token", "", "Authorization: " + sTok + "\r\nHost: x", "Authorization: " + fp(sTok) + "\r\nHost: x"},
		{"authorization line with scheme", "", "Proxy-Authorization: Bearer " + sTok, "Proxy-Authorization: Bearer " + fp(sTok)},
		{"cookie line inside quotes", "", `headers: ["Cookie: sid=` + sTok + `"]`, `headers: ["Cookie: sid=` + fp(sTok) + `"]`},
		{"authorization line inside quotes", "", `["Authorization: ` + sTok + `"]`, `["Authorization: ` + fp(sTok) + `"]`},
		{"authorization line lower-case token", "", "Authorization: bearer " + sLow, "Authorization: bearer " + fp(sLow)},
		{"authorization line tabs", "", "Authorization:\tBearer\t" + sTok, "Authorization:\tBearer\t" + fp(sTok)},
		{"bearer token starting with _", "", "sent Bearer _" + sTok, "sent Bearer " + fp("_"+sTok)},
		{"authorization value with tab", "authorization", "Bearer\t" + sTok, "Bearer\t" + fp(sTok)},
		{"logfmt cookie", "", `level=INFO cookie="sid=` + sTok + `; theme=dark" status=200`, `level=INFO cookie="sid=` + fp(sTok) + `; theme=` + fp("dark") + `" status=200`},
		{"logfmt authorization", "", `msg=req http.request.header.authorization="bearer ` + sLow + `"`, `msg=req http.request.header.authorization="bearer ` + fp(sLow) + `"`},
		{"logfmt set-cookie unquoted", "", `set_cookie=sid=` + sTok + ` x=1`, `set_cookie=sid=` + fp(sTok) + ` x=1`},
		{"logfmt header words", "", `cookie=disabled authorization=required`, `cookie=disabled authorization=required`},
		{"go %+v of an oauth2.Token", "", "token: &{AccessToken:" + sTok + " TokenType:Bearer RefreshToken:" + sTok2 + " Expiry:2026-01-01}", "token: &{AccessToken:" + fp(sTok) + " TokenType:Bearer RefreshToken:" + fp(sTok2) + " Expiry:2026-01-01}"},
		{"yaml secret key", "", "access_token: " + sTok + "\nclient_secret: '" + sTok2 + "'\nexpires_in: 3600", "access_token: " + fp(sTok) + "\nclient_secret: '" + fp(sTok2) + "'\nexpires_in: 3600"},
		{"secret key word inside a word", "", "my_access_token_count: 3, IdTokens: 2", "my_access_token_count: 3, IdTokens: 2"},
		{"header words are not secrets", "", "cookie: disabled; authorization: required for this endpoint", "cookie: disabled; authorization: required for this endpoint"},
		// token formats in free text
		{"jwt", "", "token " + sJWT + " expired", "token " + fp(sJWT) + " expired"},
		{"jwe, direct key", "", "session " + sJWE + " expired", "session " + fp(sJWE) + " expired"},
		{"jwe, five parts", "", "session " + sJWE5 + ".", "session " + fp(sJWE5) + "."},
		{"github", "", "using " + sGH, "using " + fp(sGH)},
		{"github fine-grained", "", "pat=" + sGHPAT, "pat=" + fp(sGHPAT)},
		{"gitlab", "", "token: " + sGL, "token: " + fp(sGL)},
		{"google access", "", "ya29 " + sGoo, "ya29 " + fp(sGoo)},
		{"google refresh", "", "rt " + sGooRT, "rt " + fp(sGooRT)},
		{"slack", "", "slack " + sSlack, "slack " + fp(sSlack)},
		{"aws", "", "key " + sAWS + " used", "key " + fp(sAWS) + " used"},
		{"aws temporary", "", "key " + sAWST, "key " + fp(sAWST)},
		{"token prefix inside a word", "", "theghp_ is not a token; highway", "theghp_ is not a token; highway"},
		{"plain text", "", "GET /api/users/42 took 12ms", "GET /api/users/42 took 12ms"},
		// bytes that are not UTF-8
		{"non-utf8 unchanged", "", "\xff\xfe code \xc3", "\xff\xfe code \xc3"},
		{"non-utf8 with secret", "", "\xff?code=" + sTok + " \xfe", "\xff?code=" + fp(sTok) + " \xfe"},
		{"non-utf8 inside a parameter value", "", "?state=" + sTok[:5] + "\xff" + sTok[5:] + "&x=1", "?state=" + fp(sTok[:5]+"\xff"+sTok[5:]) + "&x=1"},
		{"utf-8 state value", "", "/cb?state=" + sTok + "-ünï&x=1", "/cb?state=" + fp(sTok+"-ünï") + "&x=1"},
	}
}

func TestDetectors(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	for _, c := range detectorCases() {
		t.Run(c.name, func(t *testing.T) {
			equalNoLeak(t, c.want, redactOne(r, c.key, c.in), detectorSecrets...)
			// a second run (agent, then gateway) changes nothing
			equalNoLeak(t, c.want, redactOne(r, c.key, c.want), detectorSecrets...)
		})
	}
}

// TestMaskNeverCorrelatable: with mask and remove, every detector's secret
// is gone and nothing in the output passes for a fingerprint.
func TestMaskNeverCorrelatable(t *testing.T) {
	for _, action := range []string{ActionMask, ActionRemove} {
		cfg := createDefaultConfig().(*Config)
		cfg.Action = action
		r := newTestRedactor(t, cfg)
		for _, c := range detectorCases() {
			out := redactOne(r, c.key, c.in)
			for _, secret := range detectorSecrets {
				if !strings.Contains(c.want, secret) { // kept by design: bare code
					noLeak(t, action+", "+c.name, []byte(out), secret)
				}
			}
			if strings.Count(out, contract.FingerprintPrefix) > strings.Count(c.in, contract.FingerprintPrefix) {
				t.Errorf("%s, %s: the output has a fingerprint", action, c.name)
			}
			if again := redactOne(r, c.key, out); again != out {
				t.Errorf("%s, %s: a second run changed the output", action, c.name)
			}
		}
	}
}

func TestDetectorsConfigured(t *testing.T) {
	cfg := testConfig()
	cfg.SecretKeys = []string{"X-Api-Key"}
	cfg.SecretKeyPatterns = []string{`(?i)password$`}
	longParam := "x_" + strings.Repeat("very_long_parameter_name_", 4)
	cfg.QueryParams = []string{"api_key", longParam}
	cfg.ValuePatterns = []string{`sk_live_[0-9a-zA-Z]{10,}`, `secret\((\w+)\)`}
	cfg.AllowKeys = []string{"debug.dump"}
	r := newTestRedactor(t, cfg)
	cases := []struct{ name, key, in, want string }{
		{"secret_keys", "x-api-key", sTok, fp(sTok)},
		{"secret_key_patterns", "db.Password", sTok, fp(sTok)},
		{"query_params", "url.full", "/x?api_key=" + sTok, "/x?api_key=" + fp(sTok)},
		{"query_params json", "", `{"API_KEY":"` + sTok + `"}`, `{"API_KEY":"` + fp(sTok) + `"}`},
		{"value_patterns", "", "stripe sk_live_" + sTok, "stripe " + fp("sk_live_"+sTok)},
		{"value_patterns group", "", "got secret(" + sTok + ")", "got secret(" + fp(sTok) + ")"},
		{"long query_params name", "", "/x?" + longParam + "=" + sTok + ` {"` + longParam + `":"` + sTok2 + `"}`, "/x?" + longParam + "=" + fp(sTok) + ` {"` + longParam + `":"` + fp(sTok2) + `"}`},
		{"allow_keys skips detectors", "debug.dump", "?code=" + sTok, "?code=" + sTok},
		{"contract still applies", "url.full", "?code=" + sTok, "?code=" + fp(sTok)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			equalNoLeak(t, c.want, redactOne(r, c.key, c.in), sTok, sTok2)
		})
	}
}

func TestMaskAction(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Action = ActionMask
	r := newTestRedactor(t, cfg)
	equalNoLeak(t, "[REDACTED]", redactOne(r, "oauth.code", sTok), sTok)
	equalNoLeak(t, "/cb?code=[REDACTED]&state=[REDACTED]", redactOne(r, "url.full", "/cb?code="+sTok+"&state="+sTok2), sTok, sTok2)
	equalNoLeak(t, "Bearer [REDACTED]", redactOne(r, "authorization", "Bearer "+sTok), sTok)
	// masking twice changes nothing
	equalNoLeak(t, "/cb?code=[REDACTED]", redactOne(r, "url.full", "/cb?code=[REDACTED]"))
}

// TestPathologicalInputs: large crafted strings go through every detector in
// linear time (a quadratic scanner would not finish within the test timeout)
// and without panicking.
func TestPathologicalInputs(t *testing.T) {
	const n = 20000
	r := newTestRedactor(t, testConfig())
	inputs := []string{
		strings.Repeat(`x" :`, n),
		strings.Repeat(`"code":\"`, n),
		strings.Repeat(`"code":"`, n),
		strings.Repeat(`'code':'`, n),
		strings.Repeat(`"code":["`, n),
		strings.Repeat(`"code" :[ "x",`, n),
		strings.Repeat(`code='"`, n),
		strings.Repeat(`\\\"code\\\":\\\"\"`, n),
		strings.Repeat("eyJ-", n),
		strings.Repeat("eyJaaaaa.", n),
		strings.Repeat("Bearer ", n),
		strings.Repeat("code=", n),
		strings.Repeat(`cookie="a=`, n),
		strings.Repeat("authorization=", n),
		strings.Repeat("access_token:", n),
		strings.Repeat("AccessToken:'", n),
		strings.Repeat("Bearer AccessToken:", n),
		strings.Repeat("cookie: a", n),
		strings.Repeat("ghp_", n),
		strings.Repeat("%", n),
		"%" + strings.Repeat("25", n) + "3D" + strings.Repeat("%2525", n),
		strings.Repeat("code%253D%25", n),
		strings.Repeat(`\u0026code=`, n),
	}
	for i, in := range inputs {
		for _, key := range []string{"", "authorization", "cookie", "set-cookie", "oauth.code"} {
			out := redactOne(r, key, in)
			if key == "" && i == 0 && out != in {
				t.Errorf("input %d changed", i)
			}
		}
	}
	// many secrets sharing their first 8 bytes, and a long string of them
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i := range 200 {
		spans.AppendEmpty().Attributes().PutStr("oauth.code", "AAAAAAAA"+strconv.Itoa(i))
	}
	spans.AppendEmpty().SetName(strings.Repeat("A", 200000))
	_, err := r.processTraces(context.Background(), td)
	require.NoError(t, err)
}
