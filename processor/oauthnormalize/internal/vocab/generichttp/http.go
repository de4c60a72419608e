// Package generichttp maps HTTP server spans of any authorization server
// (contract section 6): discovery documents (RFC 8414, RFC 9728, OIDC) and
// the authorize, token, revoke, introspect and register endpoints, from
// the HTTP semantic conventions alone (current and old attribute names).
// Form bodies are not on such spans: the grant type, the client and the
// user are not known, so a token request is `token` without
// oauth.grant_type.
package generichttp

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Settings configure the vocabulary.
type Settings struct {
	// Endpoints are claimed on any service.
	Endpoints Paths
	// ServerEndpoints are claimed only on an evident authorization server.
	ServerEndpoints Paths
	// AuthorizationServers are service names that are authorization
	// servers whether or not they serve a discovery document.
	AuthorizationServers []string
	// MaxRememberedServers bounds the services remembered for serving
	// an authorization server's discovery document.
	MaxRememberedServers int
}

// Vocabulary maps HTTP server spans. It is safe for concurrent use.
type Vocabulary struct {
	paths      matcher
	configured map[string]struct{}
	learned    *servers
}

// New builds the vocabulary.
func New(s Settings) *Vocabulary {
	v := &Vocabulary{
		paths:      newMatcher(s.Endpoints, s.ServerEndpoints),
		configured: map[string]struct{}{},
		learned:    newServers(s.MaxRememberedServers),
	}
	for _, n := range s.AuthorizationServers {
		v.configured[n] = struct{}{}
	}
	return v
}

// Hydra's query parameters on a return to its authorization endpoint after
// login or consent: the same flow, not a new one (contract section 1).
var returnVisitParams = [...]string{"login_verifier=", "consent_verifier="}

// Map reads a request root SERVER span (the caller checks IsRequestRoot and
// that no oauth.operation is set) into m.
func (v *Vocabulary) Map(span ptrace.Span, res pcommon.Map, m *vocab.Mapping) vocab.Verdict {
	attrs := span.Attributes()
	op, doc, serverOnly, ok := v.find(attrs)
	if !ok || !methodFits(attrs, op) {
		return vocab.Unclaimed
	}
	code, hasCode := vocab.HTTPStatus(attrs)
	if hasCode && (code == 404 || code == 405) {
		// The service has no such endpoint (a scanner's probe).
		return vocab.Unclaimed
	}
	service, _, _ := vocab.Str(res, contract.AttrServiceName)
	if serverOnly && !v.isServer(service) {
		return vocab.Unclaimed
	}
	if op == contract.OpAuthorize && returnVisit(attrs) {
		return vocab.Unclaimed
	}
	ok = !hasCode || code < 400
	if ok && span.Status().Code() != ptrace.StatusCodeError && service != "" &&
		(doc == contract.WellKnownAuthorizationServer || doc == contract.WellKnownOpenIDConfiguration) {
		v.learned.learn(service)
	}
	m.Operation, m.Side = op, contract.SideServer
	if doc == contract.WellKnownProtectedResource {
		m.DiscoveryMethod = contract.DiscoveryRFC9728
	}
	switch {
	case !hasCode:
		// The span status decides (contract section 2 defaults).
	case !ok:
		m.Status = contract.StatusFailure
	case op == contract.OpAuthorize:
		m.Status = contract.StatusInitiated
	default:
		m.Status = contract.StatusSuccess
	}
	return vocab.MappedVerdict
}

// find matches the route, else the path, else the old target.
func (v *Vocabulary) find(attrs pcommon.Map) (op, doc string, serverOnly, ok bool) {
	for _, k := range [...]string{contract.AttrHTTPRoute, contract.AttrURLPath, contract.AttrHTTPTarget} {
		path, found, _ := vocab.Str(attrs, k)
		if !found {
			continue
		}
		if d, isDoc := discoveryDoc(path); isDoc {
			return contract.OpDiscovery, d, false, true
		}
		if r, isRule := v.paths.match(path); isRule {
			return r.op, "", r.serverOnly, true
		}
	}
	return "", "", false, false
}

func (v *Vocabulary) isServer(service string) bool {
	if service == "" {
		return false
	}
	if _, ok := v.configured[service]; ok {
		return true
	}
	return v.learned.known(service)
}

// methodFits reports whether the request method is one the endpoint
// serves: GET for discovery, GET or POST for authorize, POST otherwise
// (RFC 7592's GET/PUT/DELETE on a registered client are not a
// registration). A span without a method fits.
func methodFits(attrs pcommon.Map, op string) bool {
	method, ok, _ := vocab.Str(attrs, contract.AttrHTTPRequestMethod)
	if !ok {
		if method, ok, _ = vocab.Str(attrs, contract.AttrHTTPMethod); !ok {
			return true
		}
	}
	switch op {
	case contract.OpDiscovery:
		return method == "GET"
	case contract.OpAuthorize:
		return method == "GET" || method == "POST"
	}
	return method == "POST"
}

// returnVisit reports whether an authorize request carries a login or
// consent verifier: the user coming back, not a new flow.
func returnVisit(attrs pcommon.Map) bool {
	q, _, _ := vocab.Str(attrs, contract.AttrURLQuery)
	if q == "" {
		t, _, _ := vocab.Str(attrs, contract.AttrHTTPTarget)
		if i := strings.IndexByte(t, '?'); i >= 0 {
			q = t[i+1:]
		}
	}
	for _, p := range returnVisitParams {
		if strings.Contains(q, p) {
			return true
		}
	}
	return false
}
