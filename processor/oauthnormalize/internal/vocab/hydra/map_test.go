package hydra

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// req builds the spans of one request as Hydra v2.3.0 writes them (names
// from the source; testdata/hydra/README.md names each file): the root
// named after the path with otelhttp's old attributes, and children.
type req struct {
	spans ptrace.SpanSlice
	root  ptrace.Span
}

func newReq(method, path string, status int) *req {
	spans := ptrace.NewSpanSlice()
	root := spans.AppendEmpty()
	root.SetName(path)
	root.SetKind(ptrace.SpanKindServer)
	root.Attributes().PutStr("http.method", method)
	root.Attributes().PutStr("http.target", path)
	root.Attributes().PutInt("http.status_code", int64(status))
	return &req{spans: spans, root: root}
}

// child adds a span; errName and hint, when errName is set, end it as
// otelx.End does for an error.
func (r *req) child(name, errName, hint string) ptrace.Span {
	s := r.spans.AppendEmpty()
	s.SetName(name)
	if errName != "" {
		s.Status().SetCode(ptrace.StatusCodeError)
		s.Status().SetMessage(errName)
		s.Attributes().PutStr(contract.HydraAttrError, errName)
		if hint != "-" {
			s.Attributes().PutStr(contract.HydraAttrErrorReason, hint)
			s.Attributes().PutStr(contract.HydraAttrErrorDebug, "")
		}
	}
	return s
}

func (r *req) event(on ptrace.Span, name string, kv ...string) {
	ev := on.Events().AppendEmpty()
	ev.SetName(name)
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attributes().PutStr(kv[i], kv[i+1])
	}
}

func (r *req) mapped() (map[string]string, vocab.Verdict) {
	var q Request
	for i := 0; i < r.spans.Len(); i++ {
		q.Observe(r.spans.At(i))
	}
	res, v := Map(&q, r.root, "hydra")
	if !res.Record {
		return nil, v
	}
	attrs := ptrace.NewSpan().Attributes()
	res.Write(attrs, ptrace.NewSpan().Attributes())
	out := map[string]string{}
	for k, val := range attrs.AsRaw() {
		out[k] = val.(string)
	}
	return out, v
}

func want(kv ...string) map[string]string {
	m := map[string]string{"oauth.side": "server", "oauth.provider": "hydra"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestAuthorizeVisits(t *testing.T) {
	first := newReq("GET", "/oauth2/auth", 302)
	first.child(contract.HydraSpanNewAuthorizeRequest, "", "")
	first.child(contract.HydraSpanGetConcreteClient, "", "").Attributes().PutStr("OAuth2ClientID", "web")
	first.child(contract.HydraSpanRequestAuthentication, contract.HydraErrAbort, "-")
	first.child(contract.HydraSpanHandleAuthorization, contract.HydraErrAbort, "-")
	got, v := first.mapped()
	assert.Equal(t, vocab.MappedVerdict, v)
	assert.Equal(t, want("oauth.operation", "authorize", "oauth.status", "initiated", "oauth.client_id", "web"), got)

	login := newReq("GET", "/oauth2/auth", 302)
	login.child(contract.HydraSpanVerifyAuthentication, "", "")
	login.child(contract.HydraSpanHandleAuthorization, contract.HydraErrAbort, "-")
	got, v = login.mapped()
	assert.Equal(t, vocab.MappedVerdict, v, "claimed and mapped: no record")
	assert.Nil(t, got)

	consent := newReq("GET", "/oauth2/auth", 303)
	consent.child(contract.HydraSpanVerifyConsent, "", "")
	consent.child(contract.HydraSpanHandleAuthorization, "", "")
	consent.child(contract.HydraSpanNewAuthorizeResponse, "", "")
	got, _ = consent.mapped()
	assert.Nil(t, got)

	refused := newReq("GET", "/oauth2/auth", 302) // Hydra redirects to its error page
	refused.child(contract.HydraSpanNewAuthorizeRequest, contract.HydraErrInvalidClient, "The requested OAuth 2.0 Client does not exist.")
	got, _ = refused.mapped()
	assert.Equal(t, want("oauth.operation", "authorize", "oauth.status", "failure", "oauth.reason", "invalid_client"), got)

	denied := newReq("GET", "/oauth2/auth", 302) // the user refused consent
	denied.child(contract.HydraSpanVerifyConsent, "access_denied", "The resource owner denied the request.")
	denied.child(contract.HydraSpanHandleAuthorization, "access_denied", "The resource owner denied the request.")
	got, _ = denied.mapped()
	assert.Equal(t, want("oauth.operation", "authorize", "oauth.status", "failure"), got)

	bare := newReq("GET", "/oauth2/auth", 302) // children in another batch
	got, v = bare.mapped()
	assert.Nil(t, got)
	assert.Equal(t, vocab.NotMappable(vocab.ChildrenNotInBatch), v)
}

func TestTokenGrants(t *testing.T) {
	code := newReq("POST", "/oauth2/token", 200)
	code.child(contract.HydraSpanGetAuthorizeCodeSession, "", "")
	at := code.child("persistence.sql.CreateAccessTokenSession", "", "")
	at.Attributes().PutStr(contract.AttrHydraAccessTokenSignature, "sig-at")
	code.event(at, contract.HydraEventAccessTokenIssued, "OAuth2GrantType", "authorization_code", "OAuth2ClientID", "web")
	noPKCE := code.child(contract.HydraSpanGetPKCERequestSession, contract.HydraErrNotFound, "")
	got, _ := code.mapped()
	assert.Equal(t, want("oauth.operation", "token", "oauth.status", "success", "oauth.grant_type", "authorization_code", "oauth.client_id", "web"), got,
		"a code issued without a challenge: no PKCE data, no check")
	noPKCE.Status().SetCode(ptrace.StatusCodeUnset) // the PKCE data was found: the verifier was checked
	got, _ = code.mapped()
	assert.Equal(t, want("oauth.operation", "token", "oauth.status", "success", "oauth.grant_type", "authorization_code", "oauth.client_id", "web",
		"oauth.pkce.reason", "valid"), got)

	cc := newReq("POST", "/oauth2/token", 200)
	cc.event(cc.child("persistence.sql.CreateAccessTokenSession", "", ""), contract.HydraEventAccessTokenIssued,
		"OAuth2GrantType", "client_credentials", "OAuth2ClientID", "svc")
	got, _ = cc.mapped()
	assert.Equal(t, want("oauth.operation", "token", "oauth.status", "success", "oauth.grant_type", "client_credentials", "oauth.client_id", "svc"), got)

	rt := newReq("POST", "/oauth2/token", 200)
	rt.child(contract.HydraSpanGetRefreshTokenSession, "", "").Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, "sig-rt1")
	rt.event(rt.child("persistence.sql.CreateAccessTokenSession", "", ""), contract.HydraEventAccessTokenIssued,
		"OAuth2GrantType", "refresh_token", "OAuth2ClientID", "web")
	got, _ = rt.mapped()
	assert.Equal(t, want("oauth.operation", "refresh", "oauth.status", "success", "oauth.reason", "normal",
		"oauth.grant_type", "refresh_token", "oauth.client_id", "web", "oauth.refresh_token", "sig-rt1"), got)

	badClient := newReq("POST", "/oauth2/token", 401)
	badClient.child(contract.HydraSpanAuthenticateClient, "", "").Attributes().PutStr("OAuth2ClientID", "web")
	badClient.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidClient, "")
	badClient.event(badClient.root, contract.HydraEventTokenExchangeError)
	got, _ = badClient.mapped()
	assert.Equal(t, want("oauth.operation", "token", "oauth.status", "failure", "oauth.client_id", "web"), got,
		"no grant: the request failed before any storage lookup")
}

func TestRefreshVerdicts(t *testing.T) {
	reuse := func(structured, hint bool) *req {
		r := newReq("POST", "/oauth2/token", 400)
		g := r.child(contract.HydraSpanGetRefreshTokenSession, "", "")
		g.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, "sig-rt1")
		if structured {
			g.Status().SetCode(ptrace.StatusCodeError)
			g.Attributes().PutStr(contract.HydraAttrError, contract.HydraErrTokenInactive)
		}
		h := "something else"
		if hint {
			h = contract.HydraHintRefreshReuse
		}
		r.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidGrant, h)
		r.event(r.root, contract.HydraEventTokenExchangeError)
		return r
	}
	w := want("oauth.operation", "refresh", "oauth.status", "reuse_detected", "oauth.reason", "reuse_detected",
		"oauth.grant_type", "refresh_token", "oauth.refresh_token", "sig-rt1", "oauth.reported.event_type", "token_reuse")
	for _, c := range []struct{ structured, hint bool }{{true, true}, {true, false}, {false, true}} {
		got, _ := reuse(c.structured, c.hint).mapped()
		assert.Equal(t, w, got, "%+v", c)
	}
	got, _ := reuse(false, false).mapped()
	assert.Equal(t, want("oauth.operation", "refresh", "oauth.status", "failure",
		"oauth.grant_type", "refresh_token", "oauth.refresh_token", "sig-rt1"), got, "neither: a plain failure")

	gone := newReq("POST", "/oauth2/token", 400)
	g := gone.child(contract.HydraSpanGetRefreshTokenSession, contract.HydraErrNotFound, "Could not find the requested resource(s).")
	g.Attributes().PutStr(contract.AttrHydraRefreshTokenSignature, "sig-x")
	gone.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidGrant, "The refresh token is malformed or not valid.")
	got, _ = gone.mapped()
	assert.Equal(t, "no_record", got["oauth.reason"])
	assert.Empty(t, got["oauth.reported.event_type"])

	other := newReq("POST", "/oauth2/token", 400)
	other.child(contract.HydraSpanGetRefreshTokenSession, "", "")
	other.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidGrant, contract.HydraHintRefreshOwnership)
	got, _ = other.mapped()
	assert.Equal(t, "ownership_failed", got["oauth.reason"])

	race := newReq("POST", "/oauth2/token", 400)
	race.child(contract.HydraSpanGetRefreshTokenSession, "", "")
	race.child(contract.HydraSpanRotateRefreshToken, contract.HydraErrNotFound, "")
	race.child(contract.HydraSpanNewAccessResponse, "invalid_request", "Failed to refresh token. Please retry the request.")
	got, _ = race.mapped()
	assert.Equal(t, "concurrent_failed", got["oauth.reason"])
}

func TestExchangeVerdicts(t *testing.T) {
	replay := newReq("POST", "/oauth2/token", 400)
	replay.child(contract.HydraSpanGetAuthorizeCodeSession, contract.HydraErrCodeInvalidated, "-")
	replay.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidGrant, contract.HydraHintCodeReuse)
	replay.event(replay.root, contract.HydraEventTokenExchangeError)
	got, _ := replay.mapped()
	assert.Equal(t, want("oauth.operation", "token", "oauth.status", "failure", "oauth.grant_type", "authorization_code",
		"oauth.reported.event_type", "code_injection"), got)

	garbled := newReq("POST", "/oauth2/token", 400)
	garbled.child(contract.HydraSpanGetAuthorizeCodeSession, contract.HydraErrNotFound, "")
	garbled.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidGrant, "")
	got, _ = garbled.mapped()
	assert.Empty(t, got["oauth.reported.event_type"], "a code never issued is no replay")

	pkce := newReq("POST", "/oauth2/token", 400)
	pkce.child(contract.HydraSpanGetAuthorizeCodeSession, "", "")
	pkce.child(contract.HydraSpanNewAccessRequest, contract.HydraErrInvalidGrant, contract.HydraHintPKCEMismatch)
	got, _ = pkce.mapped()
	assert.Equal(t, want("oauth.operation", "token", "oauth.status", "failure", "oauth.grant_type", "authorization_code",
		"oauth.pkce.reason", "invalid_hash"), got)
}

func TestOtherEndpoints(t *testing.T) {
	cases := []struct {
		method, path string
		status       int
		event        string
		want         map[string]string
	}{
		{"POST", "/oauth2/revoke", 200, contract.HydraEventAccessTokenRevoked, want("oauth.operation", "revoke", "oauth.status", "success", "oauth.reason", "manual")},
		{"POST", "/admin/oauth2/introspect", 200, contract.HydraEventAccessTokenInspected, want("oauth.operation", "introspect", "oauth.status", "success", "oauth.client_id", "web")},
		{"POST", "/oauth2/register", 201, contract.HydraEventClientCreated, want("oauth.operation", "register", "oauth.status", "success", "oauth.client_id", "web")},
		{"POST", "/oauth2/register", 400, "", want("oauth.operation", "register", "oauth.status", "failure")},
		{"GET", "/.well-known/openid-configuration", 200, "", want("oauth.operation", "discovery", "oauth.status", "success")},
		{"GET", "/.well-known/jwks.json", 200, "", want("oauth.operation", "discovery", "oauth.status", "success")},
		{"OPTIONS", "/oauth2/token", 204, "", nil},
		{"GET", "/oauth2/register/abc", 200, "", nil},
		{"POST", "/admin/clients", 201, contract.HydraEventClientCreated, nil},
		{"GET", "/userinfo", 200, "", nil},
	}
	for _, c := range cases {
		r := newReq(c.method, c.path, c.status)
		switch c.event {
		case "":
		case contract.HydraEventAccessTokenRevoked: // Hydra writes it without attributes
			r.event(r.root, c.event)
		default:
			r.event(r.child("x", "", ""), c.event, "OAuth2ClientID", "web")
		}
		got, v := r.mapped()
		assert.Equal(t, c.want, got, "%s %s", c.method, c.path)
		assert.Equal(t, c.want != nil, v.Claimed, "%s %s", c.method, c.path)
	}
}

func TestWrongTypeIsNotMapped(t *testing.T) {
	r := newReq("POST", "/oauth2/token", 200)
	r.child(contract.HydraSpanGetRefreshTokenSession, "", "").Attributes().PutInt(contract.AttrHydraRefreshTokenSignature, 7)
	got, v := r.mapped()
	assert.Nil(t, got)
	assert.Equal(t, vocab.NotMappable(vocab.WrongType), v)
}

func TestClaimsAndEvident(t *testing.T) {
	for name, claims := range map[string]bool{
		"Fosite.NewAccessRequest": true, "persistence.sql.GetClients": true, "DefaultStrategy.verifyConsent": true,
		"/oauth2/token": false, "sql-conn-query": false, "GET": false,
	} {
		s := ptrace.NewSpan()
		s.SetName(name)
		assert.Equal(t, claims, Claims(s, ptrace.NewResourceSpans().Resource().Attributes()), name)
	}
	s := ptrace.NewSpan()
	s.SetName("persistence.sql.GetIdentity")
	assert.False(t, Evident(s), "ory/x's persister prefix alone is not Hydra's")
	s.SetName("/oauth2/token")
	s.Events().AppendEmpty().SetName(contract.HydraEventTokenExchangeError)
	assert.True(t, Claims(s, ptrace.NewResourceSpans().Resource().Attributes()))
	assert.True(t, Evident(s))
	assert.True(t, IsScope("Ory Hydra"))
	assert.False(t, IsScope("Ory Kratos"))
}
