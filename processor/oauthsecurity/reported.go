package oauthsecurity

import (
	"slices"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// reportedFindings normalises what apps and servers report themselves
// (contract section 6): a reuse_detected status, a recorded integrity
// violation, an audited family revocation by reuse detection, a revocation
// for reuse, and an app security event by name.
func (d *detector) reportedFindings(r *record, rep []finding) []finding {
	get := func(k string) string { return contract.LookupStr(r.attrs, r.res, k) }
	if v, ok := r.attrs.Get(contract.AttrStatus); ok && v.Str() == contract.StatusReuseDetected {
		rep = append(rep, reportedBy(contract.EventTokenReuse, ruleReportedStatus))
	}
	if v, ok := r.attrs.Get(contract.AttrIntegrityViolation); ok &&
		slices.Contains(contract.IntegrityViolations, contract.ViolationType(v.AsString(), "")) {
		rep = append(rep, reportedBy(contract.EventIntegrityViolation, ruleReportedIntegrity))
	}
	if action, ok := r.attrs.Get(contract.AttrAuditAction); ok && action.Str() == contract.AuditFamilyRevoked {
		_, flag := r.attrs.Get(contract.AttrAuditDetailPrefix + contract.AuditFlagReuseDetection)
		if flag || get(contract.AttrReason) == contract.ReasonReuseDetected ||
			strings.Contains(get(contract.AttrAuditDetail), contract.AuditFlagReuseDetection) {
			rep = append(rep, reportedBy(contract.EventTokenReuse, ruleReportedAudit))
		}
	} else if get(contract.AttrOperation) == contract.OpRevoke && get(contract.AttrReason) == contract.ReasonReuseDetected {
		rep = append(rep, reportedBy(contract.EventTokenReuse, ruleReportedRevoke))
	}
	if et, violation, ok := contract.ReportedEvent(r.attrs); ok {
		f := reportedBy(et, ruleReportedSecurityEv)
		f.Violation = violation
		rep = append(rep, f)
	}
	return rep
}
