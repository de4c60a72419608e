package oauthsecurity

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// Rule names written to security_rule.name: which detector fired.
const (
	ruleRefreshReuse      = "refresh_token_reuse"
	ruleCodeReuse         = "authorization_code_reuse"
	ruleCodeAfterPKCEFail = "code_redeemed_after_pkce_failure"
	rulePKCEUserMismatch  = "pkce_user_mismatch"
	ruleStateReuse        = "state_reuse"
	ruleOwnershipFailed   = "refresh_ownership_failed"
	ruleVerifierReuse     = "code_verifier_reuse"
	ruleIssuerMismatch    = "issuer_mismatch"
	ruleReportedStatus    = "reported_status_reuse_detected"
	ruleReportedRevoke    = "reported_revoke_reuse_detected"
	ruleReportedIntegrity = "reported_integrity_violation"
	// ruleReportedEvent: the source's own finding, oauth.reported.event_type.
	ruleReportedEvent = "reported_security_event"
)

// finding is one detected or reported finding on a record: what
// contract.AnnotateFindings writes, and its rank, which orders incidents.
type finding struct {
	contract.Mark
	rank int
}

func newFinding(eventType, source, rule string) finding {
	f, _ := contract.LookupFinding(eventType)
	return finding{Mark: contract.Mark{EventType: eventType, Source: source, Rule: rule}, rank: f.Rank}
}

func detectedBy(eventType, rule string) finding {
	return newFinding(eventType, contract.SourceDetected, rule)
}

func reportedBy(eventType, rule string) finding {
	return newFinding(eventType, contract.SourceReported, rule)
}
