// Package contract holds the names and enums of the OAuth telemetry contract
// (shared/oauth-telemetry-contract.md, documented in docs/telemetry-contract.md).
// Every component reads and writes telemetry through these names only, so a
// rename in the contract is a one-line change here.
package contract

// Plain attributes (contract section 2). None of them is secret.
const (
	AttrOperation          = "oauth.operation"
	AttrSide               = "oauth.side"
	AttrStatus             = "oauth.status"
	AttrReason             = "oauth.reason"
	AttrProvider           = "oauth.provider"
	AttrGrantType          = "oauth.grant_type"
	AttrClientID           = "oauth.client_id"
	AttrDiscoveryMethod    = "oauth.discovery.method"
	AttrIntegrityViolation = "oauth.integrity.violation"
	AttrTokenExpiresIn     = "oauth.token.expires_in"
	AttrIss                = "oauth.iss"
	AttrDuration           = "oauth.duration"
	AttrPKCECleanedCount   = "oauth.pkce.cleaned_count"
	AttrEnduserID          = "enduser.id"
)

// Secret attributes carried as fingerprints after redaction (contract
// sections 2 and 3). The security processor and the metrics connector
// correlate on these.
const (
	AttrCode         = "oauth.code"
	AttrState        = "oauth.state"
	AttrDPoPJTI      = "oauth.dpop.jti"
	AttrRefreshToken = "oauth.refresh_token"
	AttrAccessToken  = "oauth.access_token"
	AttrIDToken      = "oauth.id_token"
	AttrCodeVerifier = "oauth.code_verifier"
)

// Attributes written by the distribution's own components.
const (
	AttrSecurityFindings  = "oauth.security.findings"
	AttrSecurityEventType = "oauth.security.event_type"
	AttrSecuritySeverity  = "oauth.security.severity"
	AttrSecurityRuleName  = "security_rule.name"
	AttrFindingSource     = "oauth.finding.source"
	AttrEventName         = "event.name"
	AttrRedactCount       = "oauth.redact.count"
	AttrAuditAction       = "oauth.audit.action"
)

// SecretKeysAnywhere are secret with or without the "oauth." prefix, compared
// case-insensitively and exactly.
var SecretKeysAnywhere = []string{
	"access_token", "refresh_token", "id_token",
	"code_verifier", "client_secret", "client_assertion",
}

// SecretKeysPrefixedOnly are secret only under their full "oauth." name: a bare
// "state" or "code" attribute is ordinary data.
var SecretKeysPrefixedOnly = []string{AttrCode, AttrState, AttrDPoPJTI}

// SecretParams are secret as URL query/fragment parameters and inside
// form-encoded or JSON text.
var SecretParams = []string{
	"code", "state", "access_token", "refresh_token", "id_token",
	"code_verifier", "client_secret", "client_assertion",
}

// URLKeys are attributes whose string values are URLs by convention.
var URLKeys = []string{"url.full", "url.query", "http.url", "http.target"}

// Header names whose values are credentials.
var (
	AuthHeaders   = []string{"authorization", "proxy-authorization"}
	CookieHeaders = []string{"cookie", "set-cookie"}
	// HeaderAttrPrefixes mark OTel semantic-convention header attributes.
	HeaderAttrPrefixes = []string{"http.request.header.", "http.response.header."}
)
