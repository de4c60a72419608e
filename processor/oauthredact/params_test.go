package oauthredact

import (
	"slices"
	"strings"
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// sParam is the secret of the per-parameter table (fake, never printed).
const sParam = "Pq4" + "Rs6Tu8Vw0Xy2Za4Bc6De"

// literalSecretParams is contract v2 section 2 spelled out: the table
// below runs over the contract's lists, and this copy makes it fail when a
// name is dropped from them.
var literalSecretParams = []string{
	"code", "state", "request", "token",
	"access_token", "refresh_token", "id_token", "code_verifier", "client_secret", "client_assertion",
	"assertion", "subject_token", "actor_token", "device_code", "user_code", "password",
	"registration_access_token", "logout_token", "id_token_hint", "login_hint_token",
}

// prefixOnly are the parameters that as attribute keys are secret only
// under "oauth." (a bare "state: active" is ordinary data).
var prefixOnly = []string{"code", "state", "request", "token"}

// benignParams sit beside the secret ones and stay readable everywhere.
var benignParams = map[string]string{
	"grant_type":               "urn:ietf:params:oauth:grant-type:token-exchange",
	"subject_token_type":       "urn:ietf:params:oauth:token-type:access_token",
	"actor_token_type":         "urn:ietf:params:oauth:token-type:id_token",
	"requested_token_type":     "urn:ietf:params:oauth:token-type:refresh_token",
	"username":                 "alice@example.com",
	"client_id":                "web-app",
	"post_logout_redirect_uri": "https://app.example/bye",
	"scope":                    "openid profile",
	"token_type":               "Bearer",
	"token_type_hint":          "refresh_token",
	"expires_in":               "3600",
}

func TestContractListsTheLiteralParams(t *testing.T) {
	for _, p := range literalSecretParams {
		if !slices.Contains(contract.SecretParams, p) {
			t.Errorf("contract.SecretParams lost %q", p)
		}
		if !slices.Contains(prefixOnly, p) && !slices.Contains(contract.SecretKeysAnywhere, p) {
			t.Errorf("contract.SecretKeysAnywhere lost %q", p)
		}
	}
	for _, p := range prefixOnly {
		if !slices.Contains(contract.SecretKeysPrefixedOnly, "oauth."+p) {
			t.Errorf("contract.SecretKeysPrefixedOnly lost oauth.%s", p)
		}
	}
}

// paramPositions are the texts a parameter is carried in: where it is
// secret, value is the secret; the key is "" for free text (a log body).
var paramPositions = []struct {
	name, key string
	text      func(name, value string) string
}{
	{"URL query", "url.full", func(n, v string) string { return "https://as.example/cb?x=1&" + n + "=" + v + "&client_id=web" }},
	{"URL fragment", "url.full", func(n, v string) string { return "https://app.example/cb#" + n + "=" + v + "&token_type=bearer" }},
	{"URL in text", "", func(n, v string) string { return "GET /oauth2/auth?" + n + "=" + v + " 302" }},
	{"form body", "http.request.body", func(n, v string) string { return "grant_type=x&" + n + "=" + v + "&client_id=web" }},
	{"JSON member", "http.response.body", func(n, v string) string { return `{"` + n + `":"` + v + `","token_type":"Bearer"}` }},
	{"JSON in text", "", func(n, v string) string { return `token response {"` + n + `": "` + v + `"}` }},
	{"JSON in a JSON string", "", func(n, v string) string { return `{"body":"{\"` + n + `\":\"` + v + `\"}"}` }},
	{"upper-case name", "url.full", func(n, v string) string { return "https://as.example/cb?" + strings.ToUpper(n) + "=" + v }},
}

// TestEverySecretParamInEveryPosition: every contract parameter (the list
// drives the table, so a new name is covered by itself) is fingerprinted
// in every position, the rest of the text untouched.
func TestEverySecretParamInEveryPosition(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	names := slices.Concat(contract.SecretParams, literalSecretParams)
	for _, n := range names {
		for _, pos := range paramPositions {
			in := pos.text(n, sParam)
			want := pos.text(n, fp(sParam))
			got := redactOne(r, pos.key, in)
			if got != want {
				t.Errorf("%s as %s:\n got  %q\n want %q", n, pos.name, hide(got, sParam), want)
			}
		}
	}
}

// TestEverySecretParamAsKey: every parameter as an attribute key, bare and
// under "oauth.", with the prefix-only exceptions; any case.
func TestEverySecretParamAsKey(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	for _, n := range slices.Concat(contract.SecretParams, literalSecretParams) {
		for _, key := range []string{"oauth." + n, "OAuth." + strings.ToUpper(n), n, strings.ToUpper(n)} {
			want := fp(sParam)
			bare := !strings.HasPrefix(strings.ToLower(key), "oauth.")
			if bare && slices.Contains(prefixOnly, n) {
				want = sParam // bare code/state/request/token is ordinary data
			}
			equalNoLeak(t, want, redactOne(r, key, sParam), sParam)
		}
	}
	equalNoLeak(t, "active", redactOne(r, "state", "active"))
}

// TestTokenIdentifiersAreSecret: the server token identifiers the contract
// names are fingerprinted as keys and named in text (Hydra's span
// attributes, Keycloak's event details).
func TestTokenIdentifiersAreSecret(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	ids := slices.Concat(contract.TokenIdentifierKeys, []string{
		"OAuth2RefreshTokenSignature", "OAuth2AccessTokenSignature",
		"kc.details.refresh_token_id", "kc.details.updated_refresh_token_id", "kc.details.token_id", "kc.token.id",
	})
	for _, k := range ids {
		equalNoLeak(t, fp(sParam), redactOne(r, k, sParam), sParam)
		equalNoLeak(t, fp(sParam), redactOne(r, strings.ToLower(k), sParam), sParam)
		equalNoLeak(t, `{"`+k+`":"`+fp(sParam)+`"}`, redactOne(r, "", `{"`+k+`":"`+sParam+`"}`), sParam)
	}
	for _, k := range []string{"kc.details.code_id", "OAuth2RefreshTokenSignatureAlgo", "kc.token"} {
		equalNoLeak(t, sParam, redactOne(r, k, sParam), sParam)
	}
}

// TestBenignNeighboursStayReadable: the parameters next to the secret ones
// (token exchange types, the user name, the client, the logout redirect)
// are kept in every position and as keys.
func TestBenignNeighboursStayReadable(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	for n, v := range benignParams {
		for _, pos := range paramPositions {
			in := pos.text(n, v)
			if strings.Contains(v, " ") && pos.name != "JSON member" && pos.name != "JSON in text" && pos.name != "JSON in a JSON string" {
				in = pos.text(n, strings.ReplaceAll(v, " ", "+"))
			}
			equalNoLeak(t, in, redactOne(r, pos.key, in))
		}
		for _, key := range []string{n, "oauth." + n} {
			equalNoLeak(t, v, redactOne(r, key, v))
		}
	}
	// contract attributes that merely start like a secret key
	for _, k := range []string{contract.AttrTokenExpiresIn, "oauth.code_challenge", "oauth.request_uri", "password_policy", "token_endpoint"} {
		equalNoLeak(t, "3600", redactOne(r, k, "3600"))
	}
	// a whole token-exchange request: only the two tokens change
	sub, act := sParam, sTok
	form := "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=" + sub +
		"&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&actor_token=" + act +
		"&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token&scope=openid"
	want := strings.NewReplacer(sub, fp(sub), act, fp(act)).Replace(form)
	equalNoLeak(t, want, redactOne(r, "http.request.body", form), sub, act)
}

// TestURLUserinfo: the password of a URL's userinfo is the secret (percent-
// decoded); the user stays readable unless it alone looks like a token.
func TestURLUserinfo(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	tok := "a1B2c3D4e5F6g7H8i9J0"
	cases := []struct{ key, in, want string }{
		{"url.full", "https://client:" + sParam + "@as.example/token", "https://client:" + fp(sParam) + "@as.example/token"},
		{"url.full", "https://client:" + "p%40ss%2Fw0rd" + "@as.example:8443/token?x=1", "https://client:" + fp("p@ss/w0rd") + "@as.example:8443/token?x=1"},
		{"", "POST https://client:" + sParam + "@as.example/token failed: 401", "POST https://client:" + fp(sParam) + "@as.example/token failed: 401"},
		{"", `{"url":"postgres://app:` + sParam + `@db:5432/x"}`, `{"url":"postgres://app:` + fp(sParam) + `@db:5432/x"}`},
		{"", "clone https://" + tok + "@git.example/repo.git", "clone https://" + fp(tok) + "@git.example/repo.git"},
		{"url.full", "https://client:@as.example/", "https://client:@as.example/"},
		{"url.full", "https://alice@as.example/", "https://alice@as.example/"},
		{"url.full", "https://as.example/u/alice@example.com", "https://as.example/u/alice@example.com"},
		{"url.full", "https://as.example?next=a@b", "https://as.example?next=a@b"},
		{"", "mail alice@example.com at 10:30", "mail alice@example.com at 10:30"},
		{"", `{"token_endpoint":"https:\/\/client:` + sParam + `@as.example\/token"}`, `{"token_endpoint":"https:\/\/client:` + fp(sParam) + `@as.example\/token"}`},
		{"", "https://client:" + fp(sParam) + "@as.example/", "https://client:" + fp(sParam) + "@as.example/"},
		{"", "https://" + fp(tok) + "@git.example/", "https://" + fp(tok) + "@git.example/"},
	}
	for _, c := range cases {
		got := redactOne(r, c.key, c.in)
		equalNoLeak(t, c.want, got, sParam, tok, "p%40ss")
		equalNoLeak(t, got, redactOne(r, c.key, got), sParam, tok) // idempotent
	}
}
