package contract

import "testing"

func TestIsAuditDenial(t *testing.T) {
	for action, want := range map[string]bool{
		AuditClientCredentialsDenied: true, AuditJWTBearerDenied: true, "login.failed": true,
		"user.locked_out": true, AuditTokenIssued: false, AuditFamilyRevoked: false,
	} {
		if got := IsAuditDenial(action); got != want {
			t.Errorf("IsAuditDenial(%q) = %v, want %v", action, got, want)
		}
	}
}
