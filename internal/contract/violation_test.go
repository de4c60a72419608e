package contract

import "testing"

func TestViolationType(t *testing.T) {
	for _, c := range []struct{ recorded, op, want string }{
		{ReasonInvalidHash, OpPKCEValidate, ViolationHashMismatch},
		{ReasonInvalidHash, OpCallback, ViolationHashMismatch},
		{ViolationUserMismatch, OpCallback, ViolationUserMismatch},
		{"", OpCallback, ViolationStateReuse},
		{"", OpToken, ""},
		{"weird", OpToken, "weird"},
	} {
		if got := ViolationType(c.recorded, c.op); got != c.want {
			t.Errorf("ViolationType(%q, %q) = %q, want %q", c.recorded, c.op, got, c.want)
		}
	}
}
