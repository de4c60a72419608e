package contract

// The Pino (pluggedin-style) vocabulary of contract section 6, as the
// agent's file_log leaves a JSON line: every field an attribute.
const (
	// PinoAttrType is the record type: PinoTypeSecurity or PinoTypeOAuth.
	PinoAttrType = "type"
	// PinoAttrAction names a security event of a PinoTypeSecurity record.
	PinoAttrAction = "action"
	// PinoAttrEvent is the flat form of a security event name.
	PinoAttrEvent = "event"
	// PinoAttrOperation names the OAuth event of a PinoTypeOAuth record.
	PinoAttrOperation = "operation"

	PinoTypeSecurity = "SECURITY_EVENT"
	PinoTypeOAuth    = "OAUTH_EVENT"

	// Identity fields, camelCase and snake_case.
	PinoAttrClientID      = "clientId"
	PinoAttrClientIDSnake = "client_id"
	PinoAttrUserID        = "userId"
	PinoAttrUserIDSnake   = "user_id"
	PinoAttrProvider      = "provider"
)

// pinoSecurityAliases are the Pino security event names that are not a
// finding's own event name (section 6).
var pinoSecurityAliases = map[string]string{
	"pkce_state_user_mismatch":            EventCodeInjection,
	"pkce_state_integrity_violation":      EventIntegrityViolation,
	"oauth_integrity_verification_failed": EventIntegrityViolation,
}

// PinoSecurityEvents maps app security event names onto reported findings
// (event types of section 5): each finding's own event name (Findings),
// and the aliases.
var PinoSecurityEvents = func() map[string]string {
	m := make(map[string]string, len(Findings)+len(pinoSecurityAliases))
	for _, f := range Findings {
		m[f.EventName] = f.EventType
	}
	for name, et := range pinoSecurityAliases {
		m[name] = et
	}
	return m
}()

// PinoOAuthEvent is what a PinoTypeOAuth operation means in contract terms.
type PinoOAuthEvent struct {
	Operation, Status, Reason string
}

// PinoOAuthEvents maps PinoTypeOAuth operations onto the contract.
var PinoOAuthEvents = map[string]PinoOAuthEvent{
	"token_refresh_success":          {OpRefresh, StatusSuccess, ""},
	"token_rotation_complete":        {OpRefresh, StatusSuccess, ""},
	"token_refresh_no_refresh_token": {OpRefresh, StatusFailure, ReasonNoRefreshToken},
	"token_refresh_ownership_failed": {OpRefresh, StatusFailure, ReasonOwnershipFailed},
}
