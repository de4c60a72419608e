package oauthspanmetrics

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

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

// The reading of a finding and the decision of its violation type are kept
// here, apart from the counting, so they can move to internal/contract (the
// owner of what oauth_security writes) without touching the rest.

// countFindings counts every event type of the record's
// oauth.security.findings, a string slice or a single string.
func (s *state) countFindings(g *group, r *record) {
	v := r.f.findings
	switch v.Type() {
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			s.finding(g, r, str(sl.At(i)))
		}
	case pcommon.ValueTypeStr:
		if v.Str() != "" {
			s.finding(g, r, v.Str())
		}
	}
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
		vt := s.bound(contract.LabelViolationType, violationType(&r.f), contract.IntegrityViolations)
		s.add(g, mIntegrity, labels{a: vt}, 1, r)
	case contract.EventCodeInjection:
		s.add(g, mCodeInjection, labels{}, 1, r)
	}
}

// violationType is the violation_type of an integrity_violation finding: the
// app's oauth.integrity.violation (invalid_hash spelled hash_mismatch), else
// state_reuse when detected on a callback (a state came back after a
// successful callback).
func violationType(f *fields) string {
	switch vt := f.violation; {
	case vt == contract.ReasonInvalidHash:
		return contract.ViolationHashMismatch
	case vt == "" && f.op == contract.OpCallback:
		return contract.ViolationStateReuse
	default:
		return vt
	}
}
