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

	// DiscoveryRFC9728 is the oauth.discovery.method of RFC 9728 protected
	// resource metadata (one of DiscoveryMethods).
	DiscoveryRFC9728 = "rfc9728"
)
