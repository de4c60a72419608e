package contract

// Okta System Log vocabulary (contract section 6, Okta row). Event types come
// from Okta's Event Types catalogue (developer.okta.com/docs/reference/
// api/event-types/) and the refresh-token guide ("System Log events": both
// detect_reuse types).
const (
	// ProviderOkta is the oauth.provider of every Okta record.
	ProviderOkta = "okta"

	OktaTokenGrant            = "app.oauth2.as.token.grant"
	OktaTokenGrantAccessToken = "app.oauth2.as.token.grant.access_token"
	// OktaTokenGrantPrefix starts every grant event type: one request
	// writes one per issued token (access_token, id_token, refresh_token).
	OktaTokenGrantPrefix = "app.oauth2.as.token.grant."
	OktaAuthorizeCode    = "app.oauth2.as.authorize.code"
	OktaTokenRevoke      = "app.oauth2.as.token.revoke"
	// Refresh-token reuse detected by a custom authorization server and by
	// the org authorization server.
	OktaDetectReuse    = "app.oauth2.as.token.detect_reuse"
	OktaOrgDetectReuse = "app.oauth2.token.detect_reuse"

	// OktaOutcomeSuccess and friends are LogOutcome.result values.
	OktaOutcomeSuccess   = "SUCCESS"
	OktaOutcomeFailure   = "FAILURE"
	OktaOutcomeDeny      = "DENY"
	OktaOutcomeSkipped   = "SKIPPED"
	OktaOutcomeAllow     = "ALLOW"
	OktaOutcomeChallenge = "CHALLENGE"
	OktaOutcomeUnknown   = "UNKNOWN"

	// OktaActorUser is the LogActor.type of a person.
	OktaActorUser = "User"
	// OktaTargetApp is the LogTarget.type of an app (an OIDC app's id is its
	// client_id).
	OktaTargetApp = "AppInstance"
)

// Attributes the oauth_audit receiver writes on Okta records, on top of the
// contract attributes and AttrAuditAction (the eventType), AttrAuditID (the
// uuid), AttrAuditActorID and AttrClientAddress.
const (
	// AttrAuditOutcomeReason is LogOutcome.reason as Okta wrote it
	// (truncated); oauth.reason only takes contract reasons.
	AttrAuditOutcomeReason = "oauth.audit.outcome.reason"
	// AttrAuditOutcomeResult is LogOutcome.result (SUCCESS, FAILURE, ...).
	AttrAuditOutcomeResult = "oauth.audit.outcome.result"
	// AttrAuditDebugPrefix prefixes one attribute per
	// debugContext.debugData entry; oauth_redact sees them like any other.
	AttrAuditDebugPrefix = "oauth.audit.debug."
	// AttrAuditDisplayMessage is the LogEvent displayMessage.
	AttrAuditDisplayMessage = "oauth.audit.display_message"
)
