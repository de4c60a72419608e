package contract

// Names of contract v2 that the vocabulary layer (processor oauth_normalize)
// writes on top of the v1 names of attributes.go and enums.go.
const (
	// AttrReportedEventType carries a finding that the source itself
	// reported (an event type of section 5), written by the vocabulary
	// mapping (section 6) and read by detection.
	AttrReportedEventType = "oauth.reported.event_type"

	// OpIntrospect is a token introspection (RFC 7662). It feeds no metric
	// and no detection rule; a finding reported on it is counted.
	OpIntrospect = "introspect"

	// AttrPKCEReason is the outcome of a PKCE check done at the token
	// endpoint, carried on the exchange record (a server token with grant
	// authorization_code): valid, invalid_hash, ... (section 1). The
	// exchange then also counts as a pkce.validate with that reason.
	AttrPKCEReason = "oauth.pkce.reason"

	// AttrFlowID is the server's own id of one authorization flow, on its
	// authorize and on the exchange that ends it (Keycloak's
	// kc.details.code_id is one). It joins a server exchange to its
	// authorize for the flow duration (section 1, 4); a vocabulary that
	// knows such an id writes it. Without it a server flow feeds the
	// counters only.
	AttrFlowID = "oauth.flow.id"

	// DiscoveryRFC9728 is the oauth.discovery.method of RFC 9728 protected
	// resource metadata (one of DiscoveryMethods).
	DiscoveryRFC9728 = "rfc9728"
)
