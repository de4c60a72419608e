package contract

// Severity of a security finding.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
)

// Event types of security findings (contract section 5).
const (
	EventTokenReuse         = "token_reuse"
	EventCodeInjection      = "code_injection"
	EventIntegrityViolation = "integrity_violation"
	EventOwnershipViolation = "ownership_violation"
	EventPKCEReplay         = "pkce_replay"
	EventMixUp              = "mix_up"
)

// Finding describes one row of the findings table.
type Finding struct {
	EventType string
	Severity  string
	// EventName is the log event name (body and event.name of finding logs).
	EventName string
	// Rank orders findings: the lowest rank is the most severe.
	Rank int
}

// Findings is the findings table in contract order: critical before high,
// then table order, which is also the order of Rank.
var Findings = []Finding{
	{EventTokenReuse, SeverityCritical, "oauth_refresh_token_reuse_detected", 0},
	{EventCodeInjection, SeverityCritical, "oauth_code_injection_attempt", 1},
	{EventIntegrityViolation, SeverityHigh, "oauth_integrity_violation", 2},
	{EventOwnershipViolation, SeverityHigh, "oauth_ownership_violation", 3},
	{EventPKCEReplay, SeverityHigh, "pkce_replay_detected", 4},
	{EventMixUp, SeverityHigh, "oauth_mix_up_detected", 5},
}

// LookupFinding returns the table row of an event type.
func LookupFinding(eventType string) (Finding, bool) {
	for _, f := range Findings {
		if f.EventType == eventType {
			return f, true
		}
	}
	return Finding{}, false
}

// MostSevere returns the most severe of the given event types; ok is false
// when none of them is known.
func MostSevere(eventTypes []string) (Finding, bool) {
	best, found := Finding{Rank: len(Findings)}, false
	for _, et := range eventTypes {
		if f, ok := LookupFinding(et); ok && f.Rank < best.Rank {
			best, found = f, true
		}
	}
	return best, found
}
