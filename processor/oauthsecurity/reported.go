package oauthsecurity

import (
	"slices"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// reportedFindings reads the findings that apps and servers report
// themselves, in contract terms only (sections 2 and 5): the source's own
// finding in oauth.reported.event_type (written by the oauth_normalize
// vocabularies from Pino events, AuthPlane audit actions, ...), a
// reuse_detected status, a revocation for reuse, and a recorded integrity
// violation. One record reports each event type once: the source's own
// finding first.
func (d *detector) reportedFindings(r *record, rep []finding) []finding {
	from := len(rep)
	add := func(f finding) {
		for _, g := range rep[from:] {
			if g.EventType == f.EventType {
				return
			}
		}
		rep = append(rep, f)
	}
	violation := ""
	if v, ok := r.attrs.Get(contract.AttrIntegrityViolation); ok {
		if vt := contract.ViolationType(v.AsString(), ""); slices.Contains(contract.IntegrityViolations, vt) {
			violation = vt
		}
	}
	if et := contract.LookupStr(r.attrs, r.res, contract.AttrReportedEventType); et != "" {
		if _, known := contract.LookupFinding(et); known {
			f := reportedBy(et, ruleReportedEvent)
			if et == contract.EventIntegrityViolation {
				f.Violation = violation
			}
			add(f)
		}
	}
	if v, ok := r.attrs.Get(contract.AttrStatus); ok && v.Str() == contract.StatusReuseDetected {
		add(reportedBy(contract.EventTokenReuse, ruleReportedStatus))
	}
	if contract.LookupStr(r.attrs, r.res, contract.AttrOperation) == contract.OpRevoke &&
		contract.LookupStr(r.attrs, r.res, contract.AttrReason) == contract.ReasonReuseDetected {
		add(reportedBy(contract.EventTokenReuse, ruleReportedRevoke))
	}
	if violation != "" {
		add(reportedBy(contract.EventIntegrityViolation, ruleReportedIntegrity))
	}
	return rep
}
