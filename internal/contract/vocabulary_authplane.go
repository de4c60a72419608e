package contract

// ProviderAuthPlane is the oauth.provider the AuthPlane span and slog
// vocabularies write by default (configurable).
const ProviderAuthPlane = "authplane"

// AuditMapping is what an AuthPlane audit action means in contract terms.
type AuditMapping struct {
	Operation, Status, Reason, GrantType string
}

// AuditActions maps AuthPlane audit actions onto the contract (section 6).
// family.revoked depends on its detail: see AuditFamilyRevokedMapping.
var AuditActions = map[string]AuditMapping{
	AuditTokenIssued:             {OpToken, StatusSuccess, "", ""},
	AuditTokenRefreshed:          {OpRefresh, StatusSuccess, ReasonNormal, GrantRefreshToken},
	AuditTokenRevoked:            {OpRevoke, StatusSuccess, ReasonManual, ""},
	AuditClientRegistered:        {OpRegister, StatusSuccess, "", ""},
	AuditClientCredentialsIssued: {OpToken, StatusSuccess, "", GrantClientCredentials},
	AuditClientCredentialsDenied: {OpToken, StatusFailure, "", GrantClientCredentials},
	AuditJWTBearerIssued:         {OpToken, StatusSuccess, "", GrantJWTBearer},
	AuditJWTBearerDenied:         {OpToken, StatusFailure, "", GrantJWTBearer},
	AuditTokenExchanged:          {OpToken, StatusSuccess, "", GrantTokenExchange},
	AuditTokenExchangeDenied:     {OpToken, StatusFailure, "", GrantTokenExchange},
}

// AuditFamilyRevokedMapping is family.revoked: raised by refresh-token reuse
// detection (reuse is true) it is a reported token_reuse, else a security
// revocation.
func AuditFamilyRevokedMapping(reuse bool) AuditMapping {
	if reuse {
		return AuditMapping{OpRevoke, StatusReuseDetected, ReasonReuseDetected, ""}
	}
	return AuditMapping{OpRevoke, StatusSuccess, ReasonSecurity, ""}
}

// AuthPlane's slog JSON lines (production handler), as the agent's file_log
// leaves them: msg in the body, every other field an attribute.
const (
	AuthPlaneSlogMsg       = "msg"
	AuthPlaneSlogGrantType = "grant_type"
	AuthPlaneSlogClientID  = "client_id"
	AuthPlaneSlogSubject   = "sub"
	AuthPlaneSlogTraceID   = "trace_id"
	AuthPlaneSlogSpanID    = "span_id"

	// AuthPlaneMsgTokenIssued is the line of every issued token.
	AuthPlaneMsgTokenIssued = "token issued"
)

// AuthPlaneServiceSpan is one service-layer span of AuthPlane's OTLP
// traces: a child of the request's root SERVER span.
type AuthPlaneServiceSpan struct {
	// NamePrefix matches the span name (Refresh covers RefreshToken, ...).
	NamePrefix           string
	Operation, GrantType string
}

// AuthPlaneServiceSpans lists the service spans that name a request's
// operation, most specific first.
var AuthPlaneServiceSpans = []AuthPlaneServiceSpan{
	{"AuthorizeService.StartAuthorization", OpAuthorize, ""},
	{"TokenService.ExchangeCode", OpToken, GrantAuthorizationCode},
	{"TokenService.Refresh", OpRefresh, GrantRefreshToken},
	{"TokenService.ClientCredentials", OpToken, GrantClientCredentials},
	{"TokenService.Revoke", OpRevoke, ""},
	{"TokenService.Introspect", OpIntrospect, ""},
	{"ClientService.Register", OpRegister, ""},
}
