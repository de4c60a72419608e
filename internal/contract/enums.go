package contract

// Operations (contract section 1): a record is an OAuth record when it carries
// AttrOperation.
const (
	OpAuthorize    = "authorize"
	OpCallback     = "callback"
	OpToken        = "token"
	OpRefresh      = "refresh"
	OpRevoke       = "revoke"
	OpPKCECreate   = "pkce.create"
	OpPKCEValidate = "pkce.validate"
	OpPKCECleanup  = "pkce.cleanup"
	OpDiscovery    = "discovery"
	OpRegister     = "register"
)

// Operations lists every operation in contract order (v2 appends
// OpIntrospect: indexes of the v1 operations are unchanged).
var Operations = []string{
	OpAuthorize, OpCallback, OpToken, OpRefresh, OpRevoke,
	OpPKCECreate, OpPKCEValidate, OpPKCECleanup, OpDiscovery, OpRegister,
	OpIntrospect,
}

// Sides. Detection state is kept per side.
const (
	SideClient      = "client"
	SideServer      = "server"
	SideUnspecified = "unspecified"
)

// Statuses.
const (
	StatusInitiated     = "initiated"
	StatusSuccess       = "success"
	StatusFailure       = "failure"
	StatusReuseDetected = "reuse_detected"
)

// Statuses lists every status value.
var Statuses = []string{StatusInitiated, StatusSuccess, StatusFailure, StatusReuseDetected}

// Reasons, per operation.
const (
	ReasonNormal            = "normal"
	ReasonNoRefreshToken    = "no_refresh_token"
	ReasonNoRecord          = "no_record"
	ReasonOwnershipFailed   = "ownership_failed"
	ReasonReuseDetected     = "reuse_detected"
	ReasonConcurrentSuccess = "concurrent_success"
	ReasonConcurrentFailed  = "concurrent_failed"
	ReasonException         = "exception"

	ReasonValid        = "valid"
	ReasonExpired      = "expired"
	ReasonInvalidHash  = "invalid_hash"
	ReasonNotFound     = "not_found"
	ReasonUserMismatch = "user_mismatch"

	ReasonManual   = "manual"
	ReasonSecurity = "security"

	ReasonServerDeleted = "server_deleted"

	ReasonInvalidClient = "invalid_client"
)

// ReasonsByOperation lists the reasons the contract allows for each operation
// that has reasons; anything else is exported as Other.
var ReasonsByOperation = map[string][]string{
	OpRefresh: {
		ReasonNormal, ReasonNoRefreshToken, ReasonNoRecord, ReasonOwnershipFailed,
		ReasonReuseDetected, ReasonConcurrentSuccess, ReasonConcurrentFailed, ReasonException,
	},
	OpPKCEValidate: {ReasonValid, ReasonExpired, ReasonInvalidHash, ReasonNotFound, ReasonUserMismatch},
	OpRevoke:       {ReasonReuseDetected, ReasonManual, ReasonExpired, ReasonSecurity},
	OpPKCECleanup:  {ReasonExpired, ReasonManual, ReasonServerDeleted},
	OpAuthorize:    {ReasonInvalidClient},
}

// Discovery methods.
var DiscoveryMethods = []string{"rfc9728", "www-authenticate", "manual"}

// Integrity violations reported by apps in AttrIntegrityViolation.
const (
	ViolationHashMismatch = "hash_mismatch"
	ViolationStateReuse   = "state_reuse"
	ViolationUserMismatch = "user_mismatch"
)

// IntegrityViolations lists the violation types exported as metric labels.
var IntegrityViolations = []string{ViolationHashMismatch, ViolationStateReuse, ViolationUserMismatch}

// Other replaces any label value outside the contract's enums.
const Other = "other"

// Extended-metric result values.
const (
	ResultSuccess       = "success"
	ResultFailure       = "failure"
	ResultError         = "error"
	ResultInvalidClient = "invalid_client"
)

// Finding sources (AttrFindingSource).
const (
	SourceDetected = "detected"
	SourceReported = "reported"
)
