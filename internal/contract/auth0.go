package contract

// Auth0 log vocabulary (contract section 6, Auth0 row). Log type codes come
// from Auth0's "Log Event Type Codes" reference
// (auth0.com/docs/deploy-monitor/logs/log-event-type-codes) and its tenant-log
// event schemas (auth0.com/docs/tenant-logs/auth-token-exchange-success/...,
// .../auth-token-exchange-fail/...).
const (
	// ProviderAuth0 is the oauth.provider of every Auth0 record.
	ProviderAuth0 = "auth0"

	// Auth0CodeExchangeSuccess is "Success Exchange": an authorization code
	// exchanged for an access token; Auth0CodeExchangeFailure its failure.
	Auth0CodeExchangeSuccess = "seacft"
	Auth0CodeExchangeFailure = "feacft"
	// Auth0RefreshSuccess is "Successful Exchange of Refresh Token for
	// Access Token"; Auth0RefreshFailure its failure (revoked or expired
	// refresh token).
	Auth0RefreshSuccess = "sertft"
	Auth0RefreshFailure = "fertft"
	// Auth0RefreshRevoked is "Refresh Token Revocation": a refresh token
	// was revoked.
	Auth0RefreshRevoked = "srrt"
	// Auth0RotatingRefreshFailure is "Failed Exchange of Rotating Refresh
	// Token": Auth0 writes it when it detects the reuse of a rotating
	// refresh token (and revokes the family).
	Auth0RotatingRefreshFailure = "ferrt"
)

// Attributes the oauth_audit receiver writes on Auth0 records, on top of the
// contract attributes, AttrAuditAction (the log type), AttrAuditID (the
// log_id), AttrClientAddress (ip) and AttrAuditDetailPrefix (one per scalar
// of details).
const (
	// AttrAuditDescription is the log's description (free text; failures
	// carry the reason there).
	AttrAuditDescription = "oauth.audit.description"
	// AttrAuditClientName is the application name of client_id.
	AttrAuditClientName = "oauth.audit.client_name"
	// AttrAuditUserName is the log's user_name (often an e-mail address).
	AttrAuditUserName = "oauth.audit.user_name"
	// AttrAuditHostname is the tenant hostname the request went to.
	AttrAuditHostname = "oauth.audit.hostname"
	// AttrUserAgent is the user agent of the request (OTel semantic
	// conventions user_agent.original).
	AttrUserAgent = "user_agent.original"
)
