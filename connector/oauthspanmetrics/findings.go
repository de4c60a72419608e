package oauthspanmetrics

import (
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// eventTypes are the event_type label values: the findings table.
var eventTypes = func() []string {
	out := make([]string, 0, len(contract.Findings))
	for _, f := range contract.Findings {
		out = append(out, f.EventType)
	}
	return out
}()

// countFindings counts every event type of the record's
// oauth.security.findings (read as the contract says).
func (s *state) countFindings(g *group, r *record) {
	contract.RangeFindingTypes(r.f.findings, func(et string) { s.finding(g, r, et) })
}

// finding counts one event type: oauth_security_events_total, and the
// integrity-violation or code-injection counter it implies.
func (s *state) finding(g *group, r *record, et string) {
	sev := contract.Other
	if f, ok := contract.LookupFinding(et); ok {
		sev = f.Severity
	}
	et = s.bound(contract.LabelEventType, et, eventTypes)
	s.add(g, mSecurity, labels{et, sev}, 1, r)
	switch et {
	case contract.EventIntegrityViolation:
		vt := s.bound(contract.LabelViolationType, contract.ViolationType(r.f.violation, r.f.op), contract.IntegrityViolations)
		s.add(g, mIntegrity, labels{a: vt}, 1, r)
	case contract.EventCodeInjection:
		s.add(g, mCodeInjection, labels{}, 1, r)
	}
}
