package hydra

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// endpoint is the Hydra endpoint a request served, by its path and
// method; none for every other request (admin API, login and consent
// requests, userinfo, logout, CORS preflights).
type endpoint uint8

const (
	none endpoint = iota
	authorize
	token
	revoke
	introspect
	register
	discovery
)

// endpoints maps Hydra's paths to the endpoint and the method it serves:
// GET or POST at the authorization endpoint, GET for discovery, POST
// otherwise (GET, PUT, DELETE on /oauth2/register/{id} manage a
// registered client: no registration).
var endpoints = map[string]struct {
	e       endpoint
	methods [2]string
}{
	contract.HydraPathAuth:       {authorize, [2]string{"GET", "POST"}},
	contract.HydraPathToken:      {token, [2]string{"POST"}},
	contract.HydraPathRevoke:     {revoke, [2]string{"POST"}},
	contract.HydraPathIntrospect: {introspect, [2]string{"POST"}},
	contract.HydraPathRegister:   {register, [2]string{"POST"}},
	contract.HydraPathDiscovery:  {discovery, [2]string{"GET"}},
	contract.HydraPathJWKS:       {discovery, [2]string{"GET"}},
}

// endpointOf reads the root's path (url.path, else the old http.target,
// which otelhttp writes without the query, else the span name: Hydra
// names its roots after the path) and method.
func endpointOf(root ptrace.Span) endpoint {
	attrs := root.Attributes()
	path := root.Name()
	for _, k := range [...]string{contract.AttrURLPath, contract.AttrHTTPTarget} {
		if p, ok, _ := vocab.Str(attrs, k); ok {
			path = p
			break
		}
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	ep, ok := endpoints[path]
	if !ok {
		return none
	}
	method, ok, _ := vocab.Str(attrs, contract.AttrHTTPRequestMethod)
	if !ok {
		method, ok, _ = vocab.Str(attrs, contract.AttrHTTPMethod)
	}
	if ok && method != ep.methods[0] && method != ep.methods[1] {
		return none
	}
	return ep.e
}
