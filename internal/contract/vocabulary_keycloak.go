package contract

// Keycloak OTLP traces vocabulary (contract section 6, Keycloak row). Every
// name is Keycloak's own; docs/sources/keycloak.md and
// processor/oauthnormalize/testdata/keycloak/README.md name the Keycloak
// source file of each.
const (
	// ProviderKeycloak is the oauth.provider of what the vocabulary maps
	// (configurable).
	ProviderKeycloak = "keycloak"

	// Keycloak's exchange records carry AttrPKCEReason and AttrFlowID
	// (kc.details.code_id), both defined in vocabulary.go.

	// Span event attributes written by Keycloak's EventBuilder.traceEvent
	// (server-spi-private/.../events/EventBuilder.java, keys from
	// TracingAttributes.java).
	KeycloakEventID    = "kc.eventId"
	KeycloakRealmID    = "kc.realmId"
	KeycloakRealmName  = "kc.realmName"
	KeycloakClientID   = "kc.clientId"
	KeycloakUserID     = "kc.userId"
	KeycloakSessionID  = "kc.sessionId"
	KeycloakEventError = "kc.eventError"
	// KeycloakIPAddress is the client address, without the kc. prefix
	// (EventBuilder.traceEvent).
	KeycloakIPAddress = "ipAddress"
	// KeycloakDetailsPrefix prefixes each event detail (Details.java keys).
	KeycloakDetailsPrefix = "kc.details."
	KeycloakReason        = "kc.details.reason"
	KeycloakCodeID        = "kc.details.code_id"
	KeycloakGrantType     = "kc.details.grant_type"

	// KeycloakAuthRoute is the http.route of Keycloak's authorization
	// endpoint (the JAX-RS template keeps {realm} and {protocol}).
	KeycloakAuthRoute = "/realms/{realm}/protocol/{protocol}/auth"
)

// Keycloak event types (EventType.java). error() appends _ERROR.
const (
	KeycloakLogin              = "LOGIN"
	KeycloakLoginError         = "LOGIN_ERROR"
	KeycloakCodeToToken        = "CODE_TO_TOKEN"
	KeycloakCodeToTokenError   = "CODE_TO_TOKEN_ERROR"
	KeycloakRefreshToken       = "REFRESH_TOKEN"
	KeycloakRefreshTokenError  = "REFRESH_TOKEN_ERROR"
	KeycloakClientLogin        = "CLIENT_LOGIN"
	KeycloakClientLoginError   = "CLIENT_LOGIN_ERROR"
	KeycloakTokenExchange      = "TOKEN_EXCHANGE"
	KeycloakTokenExchangeError = "TOKEN_EXCHANGE_ERROR"
	KeycloakIntrospect         = "INTROSPECT_TOKEN"
	KeycloakIntrospectError    = "INTROSPECT_TOKEN_ERROR"
	KeycloakRevokeGrant        = "REVOKE_GRANT"
	KeycloakRevokeGrantError   = "REVOKE_GRANT_ERROR"
	KeycloakClientRegister     = "CLIENT_REGISTER"
	KeycloakClientRegisterErr  = "CLIENT_REGISTER_ERROR"
	KeycloakDeviceCodeToToken  = "OAUTH2_DEVICE_CODE_TO_TOKEN"
	KeycloakDeviceCodeTokenErr = "OAUTH2_DEVICE_CODE_TO_TOKEN_ERROR"
	KeycloakLogout             = "LOGOUT"
	KeycloakLogoutError        = "LOGOUT_ERROR"
)

// Keycloak error strings (Errors.java) and reasons the vocabulary reads.
const (
	KeycloakErrInvalidCode         = "invalid_code"
	KeycloakErrCodeVerifierMissing = "code_verifier_missing"
	KeycloakErrInvalidCodeVerifier = "invalid_code_verifier"
	KeycloakErrPKCEFailed          = "pkce_verification_failed"
	KeycloakErrClientNotFound      = "client_not_found"
	KeycloakErrClientDisabled      = "client_disabled"
	KeycloakErrInvalidClient       = "invalid_client"
	KeycloakErrInvalidRedirectURI  = "invalid_redirect_uri"
	KeycloakErrInvalidRequest      = "invalid_request"

	// KeycloakReasonReuse is the OAuthErrorException description of
	// TokenManager's refresh-token reuse check, copied into
	// kc.details.reason by RefreshTokenGrantType.
	KeycloakReasonReuse = "Maximum allowed refresh token reuse exceeded"
)
