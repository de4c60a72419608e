package contract

// Ory Hydra v2 OTLP traces vocabulary (contract section 6, Hydra row). Every
// name is Hydra's, fosite's or ory/x's own, at the versions of Hydra
// v2.3.0's go.mod (fosite v0.49.0, ory/x v0.0.675);
// docs/sources/hydra.md and processor/oauthnormalize/testdata/hydra/README.md
// name the source file of each. The token signatures Hydra writes
// (AttrHydraRefreshTokenSignature, AttrHydraAccessTokenSignature) are in
// attributes.go with the other token identifiers.
const (
	// ProviderHydra is the oauth.provider of what the vocabulary maps
	// (configurable).
	ProviderHydra = "hydra"

	// HydraScope is the instrumentation scope of Hydra's request root
	// spans and of its persistence spans: the tracer name of
	// driver/registry_sql.go (otelx.New("Ory Hydra", ...)), which
	// otelx.Tracer.Provider hands to otelhttp too.
	HydraScope = "Ory Hydra"
)

// Span names (fosite's Start calls, Hydra's persister and consent strategy).
const (
	HydraFositePrefix      = "Fosite."
	HydraPersistencePrefix = "persistence.sql."
	HydraStrategyPrefix    = "DefaultStrategy."

	HydraSpanNewAccessRequest     = "Fosite.NewAccessRequest"
	HydraSpanNewAccessResponse    = "Fosite.NewAccessResponse"
	HydraSpanNewAuthorizeRequest  = "Fosite.NewAuthorizeRequest"
	HydraSpanNewAuthorizeResponse = "Fosite.NewAuthorizeResponse"
	HydraSpanNewRevocationRequest = "Fosite.NewRevocationRequest"
	HydraSpanIntrospectToken      = "Fosite.IntrospectToken"

	HydraSpanGetRefreshTokenSession  = "persistence.sql.GetRefreshTokenSession"
	HydraSpanGetAuthorizeCodeSession = "persistence.sql.GetAuthorizeCodeSession"
	// HydraSpanGetPKCERequestSession ends without an error only when the
	// code was issued with a PKCE challenge (fosite's PKCE handler stores
	// one only then): the token endpoint checks the verifier.
	HydraSpanGetPKCERequestSession = "persistence.sql.GetPKCERequestSession"
	HydraSpanRotateRefreshToken    = "persistence.sql.RotateRefreshToken"
	HydraSpanGetConcreteClient     = "persistence.sql.GetConcreteClient"
	HydraSpanAuthenticateClient    = "persistence.sql.AuthenticateClient"

	// The consent strategy's spans tell the three visits of one flow to
	// the authorization endpoint apart: the authorization request
	// (requestAuthentication), the return from login with login_verifier
	// (verifyAuthentication), the return from consent with
	// consent_verifier (verifyConsent).
	HydraSpanHandleAuthorization   = "DefaultStrategy.HandleOAuth2AuthorizationRequest"
	HydraSpanRequestAuthentication = "DefaultStrategy.requestAuthentication"
	HydraSpanVerifyAuthentication  = "DefaultStrategy.verifyAuthentication"
	HydraSpanVerifyConsent         = "DefaultStrategy.verifyConsent"
)

// Span events (x/events/events.go) and their attributes.
const (
	HydraEventAccessTokenIssued    = "OAuth2AccessTokenIssued"
	HydraEventRefreshTokenIssued   = "OAuth2RefreshTokenIssued"
	HydraEventIdentityTokenIssued  = "OIDCIdentityTokenIssued"
	HydraEventTokenExchangeError   = "OAuth2TokenExchangeError"
	HydraEventAccessTokenRevoked   = "OAuth2AccessTokenRevoked"
	HydraEventAccessTokenInspected = "OAuth2AccessTokenInspected"
	HydraEventClientCreated        = "OAuth2ClientCreated"
	HydraEventLoginAccepted        = "OAuth2LoginAccepted"
	HydraEventLoginRejected        = "OAuth2LoginRejected"
	HydraEventConsentAccepted      = "OAuth2ConsentAccepted"
	HydraEventConsentRejected      = "OAuth2ConsentRejected"
	HydraEventConsentRevoked       = "OAuth2ConsentRevoked"
	HydraEventClientDeleted        = "OAuth2ClientDeleted"
	HydraEventClientUpdated        = "OAuth2ClientUpdated"

	HydraAttrClientID  = "OAuth2ClientID"
	HydraAttrGrantType = "OAuth2GrantType"
)

// Error attributes ory/x otelx.End writes on a span that ended with an
// error (otelx/withspan.go setErrorTags): the error's text (a fosite
// error's name, such as invalid_grant), its Reason() (a fosite error's
// hint) and its Debug().
const (
	HydraAttrError       = "error"
	HydraAttrErrorReason = "error.reason"
	HydraAttrErrorDebug  = "error.debug"
)

// fosite error names (errors.go) the vocabulary reads in HydraAttrError.
const (
	HydraErrInvalidGrant  = "invalid_grant"
	HydraErrInvalidClient = "invalid_client"
	HydraErrTokenInactive = "token_inactive"
	HydraErrNotFound      = "not_found"
)

// Verdicts that only English text identifies (docs/sources/hydra.md says
// so): fosite's hints (error.reason) and two Go sentinel errors, whose
// text is all a span carries of them.
const (
	// HydraHintRefreshReuse: handler/oauth2/flow_refresh.go, when
	// GetRefreshTokenSession returned token_inactive (the structured
	// signal the vocabulary reads first).
	HydraHintRefreshReuse = "The refresh token was already used."
	// HydraHintCodeReuse starts the hint of
	// handler/oauth2/flow_authorize_code_token.go on a replayed code
	// (more sentences follow when revoking its tokens failed).
	HydraHintCodeReuse = "The authorization code has already been used."
	// HydraHintRefreshOwnership: flow_refresh.go, a refresh token
	// presented by another client than the one it was issued to.
	HydraHintRefreshOwnership = "The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance."
	// HydraErrCodeInvalidated is fosite.ErrInvalidatedAuthorizeCode's
	// text (sic), the error of GetAuthorizeCodeSession on a used code.
	HydraErrCodeInvalidated = "Authorization code has ben invalidated"
	// HydraErrAbort is consent.ErrAbortOAuth2Request's text: the
	// strategy redirects to login or consent, no failure.
	HydraErrAbort = "the OAuth 2.0 Authorization request must be aborted"
	// HydraHintPKCEMismatch and the verifier hints of handler/pkce/handler.go
	// are a pkce.validate failure invalid_hash; HydraHintPKCENotFound is
	// not_found.
	HydraHintPKCEMismatch      = "The PKCE code challenge did not match the code verifier."
	HydraHintPKCEVerifierShort = "The PKCE code verifier must be at least 43 characters."
	HydraHintPKCEVerifierLong  = "The PKCE code verifier can not be longer than 128 characters."
	HydraHintPKCEVerifierChars = "The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'."
	HydraHintPKCENoChallenge   = "The PKCE code verifier was provided but the code challenge was absent from the authorization request."
	HydraHintPKCENotFound      = "Unable to find initial PKCE data tied to this request"
)

// Request paths (oauth2/handler.go, client/handler.go, jwk/handler.go; the
// admin router prefixes /admin) and their methods.
const (
	HydraPathAuth       = "/oauth2/auth"
	HydraPathToken      = "/oauth2/token"
	HydraPathRevoke     = "/oauth2/revoke"
	HydraPathRegister   = "/oauth2/register"
	HydraPathIntrospect = "/admin/oauth2/introspect"
	HydraPathDiscovery  = "/.well-known/openid-configuration"
	HydraPathJWKS       = "/.well-known/jwks.json"
)
