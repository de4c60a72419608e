package oauthsecurity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

func TestReportedEventsNormalised(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]string
		want  string
		rule  string
	}{
		{"pino action", map[string]string{"type": "SECURITY_EVENT", "action": "oauth_refresh_token_reuse_detected"}, contract.EventTokenReuse, ruleReportedEvent},
		{"pino code injection", map[string]string{"type": "SECURITY_EVENT", "action": "oauth_code_injection_attempt"}, contract.EventCodeInjection, ruleReportedEvent},
		{"pino user mismatch", map[string]string{"type": "SECURITY_EVENT", "action": "pkce_state_user_mismatch"}, contract.EventCodeInjection, ruleReportedEvent},
		{"pino integrity", map[string]string{"type": "SECURITY_EVENT", "action": "pkce_state_integrity_violation"}, contract.EventIntegrityViolation, ruleReportedEvent},
		{"pino verification failed", map[string]string{"type": "SECURITY_EVENT", "action": "oauth_integrity_verification_failed"}, contract.EventIntegrityViolation, ruleReportedEvent},
		{"pino ownership", map[string]string{"type": "SECURITY_EVENT", "action": "oauth_ownership_violation"}, contract.EventOwnershipViolation, ruleReportedEvent},
		{"pino replay", map[string]string{"type": "SECURITY_EVENT", "action": "pkce_replay_detected"}, contract.EventPKCEReplay, ruleReportedEvent},
		{"pino event instead of action", map[string]string{"type": "SECURITY_EVENT", "event": "pkce_replay_detected"}, contract.EventPKCEReplay, ruleReportedEvent},
		{"flat event", map[string]string{"event": "oauth_refresh_token_reuse_detected"}, contract.EventTokenReuse, ruleReportedEvent},
		{"status reuse_detected", map[string]string{contract.AttrOperation: contract.OpRefresh, contract.AttrStatus: contract.StatusReuseDetected, contract.AttrReason: contract.ReasonReuseDetected}, contract.EventTokenReuse, ruleReportedStatus},
		{"authplane family.revoked flag", map[string]string{contract.AttrAuditAction: "family.revoked", contract.AttrOperation: contract.OpRevoke, "oauth.audit.detail.reuse_detection": "true"}, contract.EventTokenReuse, ruleReportedEvent}, // mapped by oauth_normalize's authplane_audit
		{"authplane family.revoked detail", map[string]string{contract.AttrAuditAction: "family.revoked", "oauth.audit.detail": "family=f1 reuse_detection"}, contract.EventTokenReuse, ruleReportedEvent},                                     // mapped by oauth_normalize's authplane_audit
		{"revoke reason reuse_detected", map[string]string{contract.AttrOperation: contract.OpRevoke, contract.AttrReason: contract.ReasonReuseDetected}, contract.EventTokenReuse, ruleReportedRevoke},
		{"contract reported event", map[string]string{contract.AttrReportedEventType: contract.EventMixUp}, contract.EventMixUp, ruleReportedEvent},
		{"contract reported integrity", map[string]string{contract.AttrReportedEventType: contract.EventIntegrityViolation, contract.AttrIntegrityViolation: "user_mismatch"}, contract.EventIntegrityViolation, ruleReportedEvent},
		{"integrity hash_mismatch", map[string]string{contract.AttrIntegrityViolation: "hash_mismatch"}, contract.EventIntegrityViolation, ruleReportedIntegrity},
		{"integrity invalid_hash", map[string]string{contract.AttrIntegrityViolation: "invalid_hash"}, contract.EventIntegrityViolation, ruleReportedIntegrity},
		{"integrity user_mismatch", map[string]string{contract.AttrIntegrityViolation: "user_mismatch"}, contract.EventIntegrityViolation, ruleReportedIntegrity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			lr := h.log(rec{trace: 1, attrs: tt.attrs})
			assert.Equal(t, []string{tt.want}, findings(lr.Attributes()))
			assert.Equal(t, tt.want, str(lr.Attributes(), contract.AttrSecurityEventType))
			assert.Equal(t, tt.rule, str(lr.Attributes(), contract.AttrSecurityRuleName))
			if tt.want == contract.EventIntegrityViolation {
				_, has := lr.Attributes().Get(contract.AttrIntegrityViolation)
				assert.True(t, has, "integrity findings carry their violation type")
			}
		})
	}
}

func TestReportedBenignVocabularyIgnored(t *testing.T) {
	h := newHarness(t, nil)
	for _, a := range []map[string]string{
		{"type": "OAUTH_EVENT", "action": "oauth_refresh_token_reuse_detected"}, // OAUTH_EVENT is an operation, not a finding
		{"type": "SECURITY_EVENT", "action": "login_success"},
		{"event": "user_logged_in"},
		{contract.AttrAuditAction: "family.revoked", contract.AttrOperation: contract.OpRevoke, contract.AttrReason: contract.ReasonManual},
		{contract.AttrAuditAction: "token.revoked", contract.AttrOperation: contract.OpRevoke},
		{contract.AttrIntegrityViolation: "none"},
		{contract.AttrReportedEventType: "not_a_finding"},
	} {
		lr := h.log(rec{trace: 9, attrs: a})
		assert.Nil(t, findings(lr.Attributes()), a)
	}
}

func TestReportedAndDetectedAreOneIncident(t *testing.T) {
	appLog := func(tr byte) rec {
		return rec{trace: tr, attrs: map[string]string{"type": "SECURITY_EVENT", "action": "oauth_refresh_token_reuse_detected"}}
	}
	t.Run("same batch: detected wins", func(t *testing.T) {
		h := newHarness(t, nil)
		h.span(refresh(1, fp("rt")))
		replay := refresh(2, fp("rt"), contract.AttrSide, contract.SideServer)
		replay.at = time.Second
		out := h.logs(appLog(2), replay)
		assert.Nil(t, findings(out[0].Attributes()), "reported record of the same incident stays unannotated")
		assert.Equal(t, []string{contract.EventTokenReuse}, findings(out[1].Attributes()))
		assert.Equal(t, ruleRefreshReuse, str(out[1].Attributes(), contract.AttrSecurityRuleName))
	})
	t.Run("detected first", func(t *testing.T) {
		h := newHarness(t, nil)
		h.span(refresh(1, fp("rt")))
		sp := h.span(refresh(2, fp("rt")).after(time.Second))
		assert.Equal(t, []string{contract.EventTokenReuse}, findings(sp.Attributes()))
		assert.Nil(t, findings(h.log(appLog(2)).Attributes()))
		// The app's own status on another record of the trace neither.
		assert.Nil(t, findings(h.log(refresh(2, fp("rt"), contract.AttrStatus, contract.StatusReuseDetected)).Attributes()))
		// Another trace is another incident.
		assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.log(appLog(3)).Attributes()))
	})
	t.Run("reported first", func(t *testing.T) {
		h := newHarness(t, nil)
		h.span(refresh(1, fp("rt")))
		assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.log(appLog(2)).Attributes()))
		sp := h.span(refresh(2, fp("rt")).after(time.Second))
		assert.Nil(t, findings(sp.Attributes()), "already annotated once")
		// The refresh still counts as reuse_detected, not success.
		assert.Equal(t, contract.StatusReuseDetected, str(sp.Attributes(), contract.AttrStatus))
	})
	t.Run("different event types on one trace are different incidents", func(t *testing.T) {
		h := newHarness(t, nil)
		a := h.log(rec{trace: 5, attrs: map[string]string{"event": "pkce_replay_detected"}})
		b := h.log(rec{trace: 5, attrs: map[string]string{"event": "oauth_ownership_violation"}})
		require.NotNil(t, findings(a.Attributes()))
		require.NotNil(t, findings(b.Attributes()))
	})
}

func TestExistingFindingsMerged(t *testing.T) {
	h := newHarness(t, nil)
	r := rec{trace: 1, attrs: map[string]string{"event": "pkce_replay_detected"}}
	ld := h.logs(r)
	assert.Equal(t, []string{contract.EventPKCEReplay}, findings(ld[0].Attributes()))
	// A second pass (another tier) adds nothing twice.
	h2 := newHarness(t, nil)
	again := plog.NewLogs()
	ld[0].CopyTo(again.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	out, err := h2.d.processLogs(t.Context(), again)
	require.NoError(t, err)
	assert.Equal(t, []string{contract.EventPKCEReplay}, findings(out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()))
}
