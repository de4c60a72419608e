package contract

// Attributes written by the oauth_audit receiver on every audit record, on top
// of the contract attributes it maps (AttrOperation, AttrStatus, AttrReason,
// AttrGrantType, AttrClientID, AttrSide) and AttrAuditAction.
const (
	// AttrAuditID is the audit event id given by the authorization server.
	AttrAuditID = "oauth.audit.id"
	// AttrAuditActorID is who acted: a user id, a client id, "system" or "admin".
	AttrAuditActorID = "oauth.audit.actor_id"
	// AttrAuditDetail is the raw detail string.
	AttrAuditDetail = "oauth.audit.detail"
	// AttrAuditDetailPrefix prefixes one attribute per parsed detail entry:
	// key=value gives a string, a bare word gives the boolean true.
	AttrAuditDetailPrefix = "oauth.audit.detail."
	// AttrClientAddress is the source IP of the audited request (OTel
	// semantic convention client.address).
	AttrClientAddress = "client.address"
)

// AuthPlane audit actions the receiver maps onto the contract (AuthPlane
// docs/reference/audit-events.md). Others pass through with AttrAuditAction.
const (
	AuditTokenIssued             = "token.issued"
	AuditTokenRefreshed          = "token.refreshed"
	AuditTokenRevoked            = "token.revoked"
	AuditFamilyRevoked           = "family.revoked"
	AuditClientRegistered        = "client.registered"
	AuditClientCredentialsIssued = "client_credentials.issued"
	AuditClientCredentialsDenied = "client_credentials.denied"
	AuditJWTBearerIssued         = "jwt_bearer.issued"
	AuditJWTBearerDenied         = "jwt_bearer.denied"
	AuditTokenExchanged          = "token.exchanged"
	AuditTokenExchangeDenied     = "token.exchange_denied"

	// AuditFlagReuseDetection is the bare detail word of a family.revoked
	// event raised by refresh-token reuse detection.
	AuditFlagReuseDetection = "reuse_detection"
)
