package contract

import "strings"

// auditDenialSuffixes end the AuthPlane audit actions that record a refusal
// (client_credentials.denied, login.failed, user.locked_out, ...).
var auditDenialSuffixes = []string{"denied", "failed", "locked_out"}

// IsAuditDenial reports whether an audit action records a refusal; the
// receiver logs those at WARN.
func IsAuditDenial(action string) bool {
	for _, s := range auditDenialSuffixes {
		if strings.HasSuffix(action, s) {
			return true
		}
	}
	return false
}
