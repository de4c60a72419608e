package oauthnormalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func opOf(s ptrace.Span) (op, status string) {
	a := s.Attributes().AsRaw()
	op, _ = a["oauth.operation"].(string)
	status, _ = a["oauth.status"].(string)
	return op, status
}

func TestUnambiguousPathsAreClaimedOnAnyService(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	b := newBatch("keycloak")
	cases := []struct {
		s          ptrace.Span
		op, status string
	}{
		{b.httpSpan("POST", "/realms/master/protocol/openid-connect/token", 200), "token", "success"},
		{b.server("POST /realms/{realm}/protocol/openid-connect/token", kv{"http.request.method", "POST"},
			kv{"http.route", "/realms/{realm}/protocol/openid-connect/token"}, kv{"http.response.status_code", 400}), "token", "failure"},
		{b.httpSpan("POST", "/realms/master/protocol/openid-connect/token/introspect", 200), "introspect", "success"},
		{b.httpSpan("GET", "/oauth2/auth", 302), "authorize", "initiated"},
		{b.httpSpan("POST", "/oauth2/revoke/", 200), "revoke", "success"},
		{b.httpSpan("POST", "/oauth2/register", 201), "register", "success"},
		{b.httpSpan("POST", "/oauth2/token", 503), "token", "failure"},
		// Old attribute names, a string status code, a query in the target.
		{b.server("POST", kv{"http.method", "POST"}, kv{"http.target", "/oauth/token?x=1"}, kv{"http.status_code", "401"}), "token", "failure"},
		// No status code: the span status decides downstream.
		{b.server("POST", kv{"http.method", "POST"}, kv{"url.path", "/connect/token"}), "token", ""},
	}
	n.traces(t, b.td)
	for i, c := range cases {
		op, status := opOf(c.s)
		assert.Equal(t, c.op, op, "case %d", i)
		assert.Equal(t, c.status, status, "case %d", i)
		assert.Equal(t, "server", c.s.Attributes().AsRaw()["oauth.side"], "case %d", i)
		assert.NotContains(t, c.s.Attributes().AsRaw(), "oauth.grant_type", "a span has no form body")
		assert.NotContains(t, c.s.Attributes().AsRaw(), "oauth.provider", "generic HTTP knows no provider")
	}
}

func TestDiscoveryMakesAServiceAnAuthorizationServer(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	// Before discovery: an ordinary /token.
	b := newBatch("zitadel-op")
	early := b.httpSpan("POST", "/token", 200)
	n.traces(t, b.td)
	assert.Equal(t, 3, early.Attributes().Len())

	b = newBatch("zitadel-op")
	disc := b.httpSpan("GET", "/.well-known/openid-configuration", 200)
	n.traces(t, b.td)
	op, status := opOf(disc)
	assert.Equal(t, "discovery", op)
	assert.Equal(t, "success", status)

	b = newBatch("zitadel-op")
	tok := b.httpSpan("POST", "/token", 200)
	auth := b.httpSpan("GET", "/authorize", 302)
	back := b.server("GET /authorize", kv{"http.request.method", "GET"}, kv{"url.path", "/authorize"},
		kv{"url.query", "client_id=x&login_verifier=abc"}, kv{"http.response.status_code", 302})
	rev := b.httpSpan("POST", "/revoke", 200)
	intro := b.httpSpan("POST", "/introspect", 200)
	reg := b.httpSpan("POST", "/register", 201)
	getReg := b.httpSpan("GET", "/register", 200)
	n.traces(t, b.td)
	for s, want := range map[ptrace.Span]string{tok: "token", auth: "authorize", rev: "revoke", intro: "introspect", reg: "register"} {
		op, _ := opOf(s)
		assert.Equal(t, want, op)
	}
	op, _ = opOf(back)
	assert.Empty(t, op, "a return visit after login is the same flow")
	op, _ = opOf(getReg)
	assert.Empty(t, op, "GET /register is not a registration")

	// Another service stays ordinary.
	b = newBatch("shop")
	shop := b.httpSpan("POST", "/token", 200)
	n.traces(t, b.td)
	op, _ = opOf(shop)
	assert.Empty(t, op)
}

func TestDiscoveryVariants(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	b := newBatch("api")
	prm := b.httpSpan("GET", "/.well-known/oauth-protected-resource/v1/mcp", 200)
	asm := b.httpSpan("GET", "/.well-known/oauth-authorization-server/tenant1", 200)
	oidc := b.httpSpan("GET", "/tenant2/.well-known/openid-configuration", 500)
	other := b.httpSpan("GET", "/.well-known/security.txt", 200)
	n.traces(t, b.td)
	for _, s := range []ptrace.Span{prm, asm, oidc} {
		op, _ := opOf(s)
		assert.Equal(t, "discovery", op)
	}
	assert.Equal(t, "rfc9728", prm.Attributes().AsRaw()["oauth.discovery.method"])
	_, status := opOf(oidc)
	assert.Equal(t, "failure", status)
	op, _ := opOf(other)
	assert.Empty(t, op)

	// Protected-resource metadata is served by resource servers: it does
	// not make a service an authorization server.
	b = newBatch("resource-only")
	b.httpSpan("GET", "/.well-known/oauth-protected-resource", 200)
	tok := b.httpSpan("POST", "/token", 200)
	n.traces(t, b.td)
	op, _ = opOf(tok)
	assert.Empty(t, op)
}

func TestConfiguredAuthorizationServerAndPaths(t *testing.T) {
	n, _ := newTestNormalizer(t, func(c *Config) {
		g := &c.Vocabularies.GenericHTTP
		g.AuthorizationServers = []string{"idp"}
		g.Endpoints.Token = append(g.Endpoints.Token, "/identity/connect/token")
	})
	b := newBatch("idp")
	tok := b.httpSpan("POST", "/token", 200)
	n.traces(t, b.td)
	op, _ := opOf(tok)
	assert.Equal(t, "token", op)

	b = newBatch("other")
	custom := b.httpSpan("POST", "/identity/connect/token", 200)
	n.traces(t, b.td)
	op, _ = opOf(custom)
	assert.Equal(t, "token", op)
}

func TestRememberedServersAreBounded(t *testing.T) {
	n, _ := newTestNormalizer(t, func(c *Config) { c.Vocabularies.GenericHTTP.MaxRememberedServers = 1 })
	for _, svc := range []string{"as-1", "as-2"} {
		b := newBatch(svc)
		b.httpSpan("GET", "/.well-known/oauth-authorization-server", 200)
		n.traces(t, b.td)
	}
	b := newBatch("as-1")
	forgotten := b.httpSpan("POST", "/token", 200)
	n.traces(t, b.td)
	op, _ := opOf(forgotten)
	assert.Empty(t, op, "as-1 was pushed out by as-2")
	b = newBatch("as-2")
	kept := b.httpSpan("POST", "/token", 200)
	n.traces(t, b.td)
	op, _ = opOf(kept)
	assert.Equal(t, "token", op)
}
