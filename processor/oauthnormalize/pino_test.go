package oauthnormalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPinoSecurityEventsAreReportedFindings(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	for name, want := range map[string]map[string]any{
		"oauth_refresh_token_reuse_detected":  {"oauth.reported.event_type": "token_reuse"},
		"oauth_code_injection_attempt":        {"oauth.reported.event_type": "code_injection"},
		"pkce_state_user_mismatch":            {"oauth.reported.event_type": "code_injection"},
		"pkce_state_integrity_violation":      {"oauth.reported.event_type": "integrity_violation", "oauth.integrity.violation": "hash_mismatch"},
		"oauth_integrity_verification_failed": {"oauth.reported.event_type": "integrity_violation", "oauth.integrity.violation": "hash_mismatch"},
		"oauth_integrity_violation":           {"oauth.reported.event_type": "integrity_violation", "oauth.integrity.violation": "hash_mismatch"},
		"oauth_ownership_violation":           {"oauth.reported.event_type": "ownership_violation"},
		"pkce_replay_detected":                {"oauth.reported.event_type": "pkce_replay"},
		"oauth_mix_up_detected":               {"oauth.reported.event_type": "mix_up"},
	} {
		for _, shape := range [][]kv{
			{{"type", "SECURITY_EVENT"}, {"action", name}},
			{{"type", "SECURITY_EVENT"}, {"event", name}},
			{{"event", name}},
		} {
			ld, lr := logOf("security", shape...)
			n.logs(t, ld)
			got := attrsOf(lr.Attributes())
			for k, v := range want {
				assert.Equal(t, v, got[k], "%s %v", name, shape)
			}
			assert.NotContains(t, got, "oauth.operation", "a security event is a finding, not an operation")
		}
	}
}

func TestPinoOAuthEventsAreRefreshes(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	for op, want := range map[string][3]string{
		"token_refresh_success":          {"refresh", "success", ""},
		"token_rotation_complete":        {"refresh", "success", ""},
		"token_refresh_no_refresh_token": {"refresh", "failure", "no_refresh_token"},
		"token_refresh_ownership_failed": {"refresh", "failure", "ownership_failed"},
	} {
		ld, lr := logOf("", kv{"type", "OAUTH_EVENT"}, kv{"operation", op}, kv{"clientId", "web"}, kv{"userId", "u1"}, kv{"provider", "github"})
		n.logs(t, ld)
		got := attrsOf(lr.Attributes())
		assert.Equal(t, want[0], got["oauth.operation"], op)
		assert.Equal(t, want[1], got["oauth.status"], op)
		if want[2] == "" {
			assert.NotContains(t, got, "oauth.reason", op)
		} else {
			assert.Equal(t, want[2], got["oauth.reason"], op)
		}
		assert.Equal(t, "web", got["oauth.client_id"])
		assert.Equal(t, "u1", got["enduser.id"])
		assert.Equal(t, "github", got["oauth.provider"])
	}
}

func TestPinoSnakeCaseIdentity(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	ld, lr := logOf("", kv{"type", "OAUTH_EVENT"}, kv{"operation", "token_refresh_success"}, kv{"client_id", "web"}, kv{"user_id", "u2"})
	n.logs(t, ld)
	got := attrsOf(lr.Attributes())
	assert.Equal(t, "web", got["oauth.client_id"])
	assert.Equal(t, "u2", got["enduser.id"])
	assert.NotContains(t, got, "oauth.provider", "no provider is invented")
}

func TestAppOwnAttributesWin(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	// The app's own operation wins: only the reported finding is added.
	ld, lr := logOf("", kv{"oauth.operation", "callback"}, kv{"oauth.status", "failure"},
		kv{"type", "SECURITY_EVENT"}, kv{"action", "pkce_state_integrity_violation"}, kv{"oauth.integrity.violation", "user_mismatch"})
	n.logs(t, ld)
	got := attrsOf(lr.Attributes())
	assert.Equal(t, "callback", got["oauth.operation"])
	assert.Equal(t, "user_mismatch", got["oauth.integrity.violation"], "never overwritten")
	assert.Equal(t, "integrity_violation", got["oauth.reported.event_type"])

	ld, lr = logOf("", kv{"type", "OAUTH_EVENT"}, kv{"operation", "token_refresh_ownership_failed"}, kv{"oauth.reason", "exception"})
	ld.ResourceLogs().At(0).Resource().Attributes().PutStr("oauth.client_id", "from-resource")
	put(lr.Attributes(), []kv{{"clientId", "web"}})
	n.logs(t, ld)
	got = attrsOf(lr.Attributes())
	assert.Equal(t, "refresh", got["oauth.operation"])
	assert.Equal(t, "exception", got["oauth.reason"], "the app's reason stays")
	assert.NotContains(t, got, "oauth.client_id", "the resource's client id stays the one read")
}

func TestPinoUnknownOrWrongTypedIsCountedNotMapped(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	for _, shape := range [][]kv{
		{{"type", "SECURITY_EVENT"}, {"action", "something_new"}},
		{{"type", "SECURITY_EVENT"}, {"action", 12}},
		{{"type", "OAUTH_EVENT"}, {"operation", "token_refresh_started"}},
		{{"type", "OAUTH_EVENT"}, {"operation", true}},
		{{"type", "OAUTH_EVENT"}},
	} {
		ld, lr := logOf("", shape...)
		n.logs(t, ld)
		assert.Equal(t, len(shape), lr.Attributes().Len(), "%v", shape)
	}
}
