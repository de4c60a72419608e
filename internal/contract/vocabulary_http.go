package contract

// OpenTelemetry semantic-convention names the generic HTTP vocabulary reads
// (contract section 6, "HTTP server spans"): the current names and the old
// ones that older instrumentations still emit.
const (
	AttrServiceName = "service.name"

	AttrHTTPRoute              = "http.route"
	AttrURLPath                = "url.path"
	AttrHTTPTarget             = "http.target" // old: path and query
	AttrURLQuery               = "url.query"
	AttrHTTPRequestMethod      = "http.request.method"
	AttrHTTPMethod             = "http.method" // old
	AttrHTTPResponseStatusCode = "http.response.status_code"
	AttrHTTPStatusCode         = "http.status_code" // old
)

// Well-known metadata documents (RFC 8615 paths, without "/.well-known/").
const (
	// WellKnownAuthorizationServer is RFC 8414 authorization server metadata.
	WellKnownAuthorizationServer = "oauth-authorization-server"
	// WellKnownOpenIDConfiguration is OpenID Connect Discovery 1.0.
	WellKnownOpenIDConfiguration = "openid-configuration"
	// WellKnownProtectedResource is RFC 9728 protected resource metadata,
	// served by resource servers, not by authorization servers.
	WellKnownProtectedResource = "oauth-protected-resource"
)
