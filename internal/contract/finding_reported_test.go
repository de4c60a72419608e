package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestReportedEvent(t *testing.T) {
	for _, c := range []struct {
		attrs          []string
		want, violated string
	}{
		{[]string{AttrAppEventType, AppSecurityEvent, AttrAppEventAction, "oauth_mix_up_detected"}, EventMixUp, ""},
		{[]string{AttrAppEventType, AppSecurityEvent, AttrAppEvent, "pkce_state_user_mismatch"}, EventCodeInjection, ""},
		{[]string{AttrAppEvent, "oauth_integrity_verification_failed"}, EventIntegrityViolation, ViolationHashMismatch},
		{[]string{AttrAppEventType, "OAUTH_EVENT", AttrAppEventAction, "pkce_replay_detected"}, "", ""},
		{[]string{AttrAppEvent, "token_refresh_success"}, "", ""},
	} {
		m := pcommon.NewMap()
		for i := 0; i+1 < len(c.attrs); i += 2 {
			m.PutStr(c.attrs[i], c.attrs[i+1])
		}
		et, v, ok := ReportedEvent(m)
		assert.Equal(t, c.want != "", ok, c.attrs)
		assert.Equal(t, c.want, et, c.attrs)
		assert.Equal(t, c.violated, v, c.attrs)
	}
}
