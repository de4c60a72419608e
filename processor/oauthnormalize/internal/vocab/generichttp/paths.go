package generichttp

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Paths lists, per operation, the endpoint paths of one class. A request
// path matches a configured path when it ends with it (so an issuer or
// realm prefix, /realms/{realm}/protocol/openid-connect/token, matches
// /protocol/openid-connect/token); the query and one trailing slash are
// ignored.
type Paths struct {
	Authorize  []string `mapstructure:"authorize"`
	Token      []string `mapstructure:"token"`
	Revoke     []string `mapstructure:"revoke"`
	Introspect []string `mapstructure:"introspect"`
	Register   []string `mapstructure:"register"`

	_ struct{}
}

// ByOperation returns the paths keyed by the operation they mean, in a
// fixed order.
func (p *Paths) ByOperation() []OpPaths {
	return []OpPaths{
		{contract.OpAuthorize, p.Authorize},
		{contract.OpToken, p.Token},
		{contract.OpRevoke, p.Revoke},
		{contract.OpIntrospect, p.Introspect},
		{contract.OpRegister, p.Register},
	}
}

// OpPaths is the paths of one operation.
type OpPaths struct {
	Operation string
	Paths     []string
}

// DefaultEndpoints are claimed on any service: paths no ordinary app uses
// for anything but OAuth (Hydra, Keycloak, Okta, Entra ID, Duende, Spring
// Authorization Server, node-oidc-provider style).
func DefaultEndpoints() Paths {
	return Paths{
		Authorize: []string{"/oauth2/auth", "/oauth2/authorize", "/oauth/authorize",
			"/protocol/openid-connect/auth", "/oauth2/v1/authorize", "/oauth2/v2.0/authorize", "/connect/authorize"},
		Token: []string{"/oauth2/token", "/oauth/token", "/protocol/openid-connect/token",
			"/oauth2/v1/token", "/oauth2/v2.0/token", "/connect/token"},
		Revoke: []string{"/oauth2/revoke", "/oauth/revoke", "/protocol/openid-connect/revoke",
			"/oauth2/v1/revoke", "/connect/revocation"},
		Introspect: []string{"/oauth2/introspect", "/oauth/introspect", "/protocol/openid-connect/token/introspect",
			"/oauth2/v1/introspect", "/connect/introspect"},
		Register: []string{"/oauth2/register", "/oauth/register", "/clients-registrations/openid-connect",
			"/connect/register"},
	}
}

// DefaultServerEndpoints are claimed only on a service that is evidently
// an authorization server: any app may have a /token (a CSRF token) or a
// /register (a sign-up form).
func DefaultServerEndpoints() Paths {
	return Paths{
		Authorize:  []string{"/authorize", "/auth"},
		Token:      []string{"/token"},
		Revoke:     []string{"/revoke", "/revocation"},
		Introspect: []string{"/introspect", "/introspection"},
		Register:   []string{"/register", "/registration"},
	}
}

// rule is one configured path.
type rule struct {
	suffix, op string
	// serverOnly: claimed only on an evident authorization server.
	serverOnly bool
}

// matcher finds the rule of a request path. Rules are grouped by the last
// segment of their path, so a path of no OAuth endpoint costs one map
// lookup and no allocation.
type matcher map[string][]rule

func newMatcher(direct, server Paths) matcher {
	m := matcher{}
	add := func(p Paths, serverOnly bool) {
		for _, op := range p.ByOperation() {
			for _, path := range op.Paths {
				path = trim(path)
				m[lastSegment(path)] = append(m[lastSegment(path)], rule{path, op.Operation, serverOnly})
			}
		}
	}
	// Direct rules first: /oauth2/token is claimed as such, not as /token.
	add(direct, false)
	add(server, true)
	return m
}

func (m matcher) match(path string) (rule, bool) {
	path = trim(path)
	for _, r := range m[lastSegment(path)] {
		if strings.HasSuffix(path, r.suffix) {
			return r, true
		}
	}
	return rule{}, false
}

// trim drops the query, the fragment and one trailing slash.
func trim(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if len(path) > 1 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	return path
}

func lastSegment(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// wellKnown is the path segment of RFC 8615 metadata documents.
const wellKnown = "/.well-known/"

// discoveryDoc returns the well-known document a path asks for: anywhere in
// the path (OIDC appends it to the issuer path), followed by nothing or by
// a path (RFC 8414 and RFC 9728 insert it before the issuer or resource
// path).
func discoveryDoc(path string) (string, bool) {
	path = trim(path)
	i := strings.Index(path, wellKnown)
	if i < 0 {
		return "", false
	}
	name := path[i+len(wellKnown):]
	if j := strings.IndexByte(name, '/'); j >= 0 {
		name = name[:j]
	}
	switch name {
	case contract.WellKnownAuthorizationServer, contract.WellKnownOpenIDConfiguration, contract.WellKnownProtectedResource:
		return name, true
	}
	return "", false
}
