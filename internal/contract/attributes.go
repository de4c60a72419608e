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
	AttrRequest      = "oauth.request"
	AttrToken        = "oauth.token"
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

// SecretKeysAnywhere are secret as attribute keys with or without the
// "oauth." prefix, compared case-insensitively and exactly (contract v2
// section 2): the secret parameters of the IANA "OAuth Parameters" registry
// and of OpenID Connect, less the short names below.
var SecretKeysAnywhere = []string{
	"access_token", "refresh_token", "id_token",
	"code_verifier", "client_secret", "client_assertion",
	"assertion",                    // RFC 7523 JWT-bearer grant
	"subject_token", "actor_token", // RFC 8693 token exchange
	"device_code", "user_code", // RFC 8628 device grant
	"password",                  // the resource-owner password grant
	"registration_access_token", // RFC 7592
	"logout_token", "id_token_hint", "login_hint_token",
}

// SecretKeysPrefixedOnly are secret only under their full "oauth." name: a
// bare "state", "code", "request" or "token" attribute is ordinary data
// (`state: active` stays).
var SecretKeysPrefixedOnly = []string{AttrCode, AttrState, AttrDPoPJTI, AttrRequest, AttrToken}

// SecretParams are secret as URL query/fragment parameters and as members
// of form-encoded or JSON text: every key of SecretKeysAnywhere, the short
// names that are secret there (code, state, request: a JAR request object,
// RFC 9101), and token, the parameter of revocation and introspection
// (RFC 7009, RFC 7662).
var SecretParams = append([]string{"code", "state", "request", "token"}, SecretKeysAnywhere...)

// TokenIdentifierKeys are attribute keys under which authorization servers
// put an identifier that stands for a token (contract v2 section 2). They
// are fingerprinted like secrets, and their fingerprints are what detection
// correlates for those servers. Compared exactly (case-insensitively).
// kc.details.code_id is not one: it is Keycloak's user session id.
var TokenIdentifierKeys = []string{
	AttrHydraRefreshTokenSignature, AttrHydraAccessTokenSignature,
	AttrKeycloakRefreshTokenID, AttrKeycloakUpdatedRefreshTokenID,
	AttrKeycloakTokenID, AttrKeycloakTraceTokenID,
}

// Token identifiers of the servers the distribution knows (section 6).
const (
	// Ory Hydra: the part of an ory_rt_ / ory_at_ token after the dot.
	AttrHydraRefreshTokenSignature = "OAuth2RefreshTokenSignature"
	AttrHydraAccessTokenSignature  = "OAuth2AccessTokenSignature"
	// Keycloak: event details (the presented and the new refresh token, the
	// issued token) and the tracing attribute of a token's id.
	AttrKeycloakRefreshTokenID        = "kc.details.refresh_token_id"
	AttrKeycloakUpdatedRefreshTokenID = "kc.details.updated_refresh_token_id"
	AttrKeycloakTokenID               = "kc.details.token_id"
	AttrKeycloakTraceTokenID          = "kc.token.id"
)

// URLKeys are attributes whose string values are URLs by convention.
var URLKeys = []string{"url.full", "url.query", "http.url", "http.target"}

// Header names whose values are credentials.
var (
	AuthHeaders   = []string{"authorization", "proxy-authorization"}
	CookieHeaders = []string{"cookie", "set-cookie"}
	// HeaderAttrPrefixes mark OTel semantic-convention header attributes.
	HeaderAttrPrefixes = []string{"http.request.header.", "http.response.header."}
)
