package hydra

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// refreshVerdict: fosite's reuse verdict is a reported token_reuse with
// status and reason reuse_detected. It is read from the structure first
// (GetRefreshTokenSession ended with token_inactive, which fosite's refresh
// handler takes as reuse), then from the hint. Other failures keep their
// reason where a span says it: the token not found (no_record), the
// rotation losing a race with a concurrent refresh (concurrent_failed), or
// (English only) another client's token (ownership_failed).
func (r *Request) refreshVerdict(res *Result, failed bool) {
	switch {
	case !failed:
		res.Reason = contract.ReasonNormal
	case r.refreshInactive || r.hint == contract.HydraHintRefreshReuse:
		res.Status, res.Reason = contract.StatusReuseDetected, contract.ReasonReuseDetected
		res.ReportedEventType = contract.EventTokenReuse
	case r.refreshGone:
		res.Reason = contract.ReasonNoRecord
	case r.hint == contract.HydraHintRefreshOwnership:
		res.Reason = contract.ReasonOwnershipFailed
	case r.rotateFailed:
		res.Reason = contract.ReasonConcurrentFailed
	}
}

// exchangeVerdict: a code that was already redeemed is a reported
// code_injection (GetAuthorizeCodeSession's sentinel error, or fosite's
// hint); a failed PKCE check is carried as oauth.pkce.reason.
func (r *Request) exchangeVerdict(res *Result) {
	if r.codeSpent || strings.HasPrefix(r.hint, contract.HydraHintCodeReuse) {
		res.ReportedEventType = contract.EventCodeInjection
	}
	res.PKCEReason = pkceReasons[r.hint]
}

// pkceReasons are the hints of fosite's PKCE handler at the token endpoint
// (handler/pkce/handler.go): a verifier that does not match, is missing
// (shorter than 43), malformed or has no challenge to match is
// invalid_hash; no PKCE data stored for the code is not_found.
var pkceReasons = map[string]string{
	contract.HydraHintPKCEMismatch:      contract.ReasonInvalidHash,
	contract.HydraHintPKCEVerifierShort: contract.ReasonInvalidHash,
	contract.HydraHintPKCEVerifierLong:  contract.ReasonInvalidHash,
	contract.HydraHintPKCEVerifierChars: contract.ReasonInvalidHash,
	contract.HydraHintPKCENoChallenge:   contract.ReasonInvalidHash,
	contract.HydraHintPKCENotFound:      contract.ReasonNotFound,
}
