package oauthaudit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

func mapOne(t *testing.T, js string) plog.LogRecord {
	t.Helper()
	ev, err := parseEvent([]byte(js), false)
	require.NoError(t, err)
	ld := toLogs([]Event{ev}, "test", t0)
	require.Equal(t, 1, ld.LogRecordCount())
	return ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}

func attrStr(lr plog.LogRecord, k string) string {
	v, ok := lr.Attributes().Get(k)
	if !ok {
		return "<absent>"
	}
	return v.AsString()
}

func TestMappingTable(t *testing.T) {
	const absent = "<absent>"
	for _, tc := range []struct {
		action, detail            string
		op, status, reason, grant string
		severity                  plog.SeverityNumber
	}{
		{"token.issued", "family=f1", contract.OpToken, "success", absent, absent, plog.SeverityNumberInfo},
		{"token.refreshed", "family=f1", contract.OpRefresh, "success", "normal", "refresh_token", plog.SeverityNumberInfo},
		{"token.revoked", "family=f1", contract.OpRevoke, "success", "manual", absent, plog.SeverityNumberInfo},
		{"family.revoked", "reuse_detection family=f1", contract.OpRevoke, "reuse_detected", "reuse_detected", absent, plog.SeverityNumberError},
		{"family.revoked", "family=f1", contract.OpRevoke, "success", "security", absent, plog.SeverityNumberWarn},
		{"client.registered", "source=dcr", contract.OpRegister, "success", absent, absent, plog.SeverityNumberInfo},
		{"client_credentials.denied", "reason=invalid_client", contract.OpToken, "failure", absent, "client_credentials", plog.SeverityNumberWarn},
		{"token.exchange_denied", "reason=invalid_subject_token", contract.OpToken, "failure", absent, contract.GrantTokenExchange, plog.SeverityNumberWarn},
		{"user.login", "", absent, absent, absent, absent, plog.SeverityNumberInfo},
		{"user.login_failed", "email=a@b.c", absent, absent, absent, absent, plog.SeverityNumberWarn},
		{"consent.granted", "resource=r1 scopes=read", absent, absent, absent, absent, plog.SeverityNumberInfo},
		{"consent.denied", "session=s1", absent, absent, absent, absent, plog.SeverityNumberWarn},
		{"auth.locked_out", "", absent, absent, absent, absent, plog.SeverityNumberWarn},
		{"something.new", "x=1", absent, absent, absent, absent, plog.SeverityNumberInfo},
	} {
		t.Run(tc.action+"/"+tc.detail, func(t *testing.T) {
			lr := mapOne(t, `{"id":"e1","action":"`+tc.action+`","client_id":"c1","detail":"`+tc.detail+`","created_at":"2026-11-22T11:00:00Z"}`)
			assert.Equal(t, tc.action, attrStr(lr, contract.AttrAuditAction))
			assert.Equal(t, tc.op, attrStr(lr, contract.AttrOperation))
			assert.Equal(t, tc.status, attrStr(lr, contract.AttrStatus))
			assert.Equal(t, tc.reason, attrStr(lr, contract.AttrReason))
			assert.Equal(t, tc.grant, attrStr(lr, contract.AttrGrantType))
			assert.Equal(t, tc.severity, lr.SeverityNumber())
			assert.Equal(t, "c1", attrStr(lr, contract.AttrClientID))
			assert.Equal(t, contract.SideServer, attrStr(lr, contract.AttrSide))
			assert.Equal(t, tc.action, lr.Body().Str())
		})
	}
}

func TestMappingFields(t *testing.T) {
	lr := mapOne(t, `{"id":"e9","action":"family.revoked","actor_id":"u7","client_id":"c1","ip":"192.0.2.1",
		"detail":"reuse_detection family=fam-1 note=\"two words\"","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",
		"created_at":"2026-11-22T11:00:00.5Z"}`)
	assert.Equal(t, "e9", attrStr(lr, contract.AttrAuditID))
	assert.Equal(t, "u7", attrStr(lr, contract.AttrAuditActorID))
	assert.Equal(t, "192.0.2.1", attrStr(lr, contract.AttrClientAddress))
	assert.Equal(t, `reuse_detection family=fam-1 note="two words"`, attrStr(lr, contract.AttrAuditDetail))
	v, ok := lr.Attributes().Get(contract.AttrAuditDetailPrefix + "reuse_detection")
	require.True(t, ok)
	assert.Equal(t, pcommon.ValueTypeBool, v.Type())
	assert.True(t, v.Bool())
	assert.Equal(t, "fam-1", attrStr(lr, contract.AttrAuditDetailPrefix+"family"))
	assert.Equal(t, "two words", attrStr(lr, contract.AttrAuditDetailPrefix+"note"))
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", lr.TraceID().String())
	assert.Equal(t, time.Date(2026, 11, 22, 11, 0, 0, 5e8, time.UTC), lr.Timestamp().AsTime())
	assert.Equal(t, t0, lr.ObservedTimestamp().AsTime())
	assert.Equal(t, "ERROR", lr.SeverityText())

	// No client_id, no trace id, no time: nothing invented.
	lr = mapOne(t, `{"action":"user.login"}`)
	assert.Equal(t, "<absent>", attrStr(lr, contract.AttrClientID))
	assert.True(t, lr.TraceID().IsEmpty())
	assert.Equal(t, pcommon.Timestamp(0), lr.Timestamp())
	assert.Contains(t, attrStr(lr, contract.AttrAuditID), "sha256:", "an event without id gets a content id")
}

func TestParseDetail(t *testing.T) {
	got := parseDetail(`  reuse_detection family=f1 empty= "bare quoted" q="a \"b\"" odd=x=y code exchange failed`)
	want := []detailEntry{
		{key: "reuse_detection", flag: true},
		{key: "family", value: "f1", start: 25, end: 27},
		{key: "empty", value: "", start: 34, end: 34},
		{key: "q", value: `a "b"`, start: 51, end: 60},
		{key: "odd", value: "x=y", start: 65, end: 68},
		{key: "code", flag: true},
		{key: "exchange", flag: true},
		{key: "failed", flag: true},
	}
	assert.Equal(t, want, got)
	many := ""
	for i := 0; i < 100; i++ {
		many += " w" + string(rune('a'+i%26)) + "=1"
	}
	assert.Len(t, parseDetail(many), maxDetailAttrs)
	assert.Empty(t, parseDetail(`q="unterminated`)[0].value[len("unterminated"):])
}

func TestMappingMovesCredentialsOutOfTheDetail(t *testing.T) {
	lr := mapOne(t, `{"action":"token.revoked","detail":"family=f1 refresh_token=rt-secret-value Code=c-secret-value reuse_detection"}`)
	assert.Equal(t, "rt-secret-value", attrStr(lr, contract.AttrRefreshToken))
	assert.Equal(t, "c-secret-value", attrStr(lr, contract.AttrCode))
	assert.Equal(t, "f1", attrStr(lr, contract.AttrAuditDetailPrefix+"family"))
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		if k != contract.AttrRefreshToken && k != contract.AttrCode {
			assert.NotContains(t, v.AsString(), "secret-value", k)
		}
		return true
	})
	assert.Equal(t, "family=f1 refresh_token=<oauth.refresh_token> Code=<oauth.code> reuse_detection", attrStr(lr, contract.AttrAuditDetail))
}

// A credential anywhere in the detail leaves it, however many entries come
// first and whatever prefix its key carries; the rest of the raw detail,
// free text included, is kept as it was.
func TestMappingMovesEveryCredentialOutOfTheDetail(t *testing.T) {
	many := ""
	for i := 0; i < maxDetailAttrs+8; i++ {
		many += "k" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "=1 "
	}
	detail := many + `free: text refresh_token="rt-secret-value" oauth.code=c-secret-value oauth.dpop.jti=j-secret-value`
	lr := mapOne(t, `{"action":"token.revoked","detail":`+strconvQuote(detail)+`}`)
	assert.Equal(t, "rt-secret-value", attrStr(lr, contract.AttrRefreshToken))
	assert.Equal(t, "c-secret-value", attrStr(lr, contract.AttrCode))
	assert.Equal(t, "j-secret-value", attrStr(lr, contract.AttrDPoPJTI))
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		if k != contract.AttrRefreshToken && k != contract.AttrCode && k != contract.AttrDPoPJTI {
			assert.NotContains(t, v.AsString(), "secret-value", k)
		}
		return true
	})
	assert.Equal(t, many+`free: text refresh_token=<oauth.refresh_token> oauth.code=<oauth.code> oauth.dpop.jti=<oauth.dpop.jti>`,
		attrStr(lr, contract.AttrAuditDetail))
	n := 0
	lr.Attributes().Range(func(k string, _ pcommon.Value) bool {
		if len(k) > len(contract.AttrAuditDetailPrefix) && k[:len(contract.AttrAuditDetailPrefix)] == contract.AttrAuditDetailPrefix {
			n++
		}
		return true
	})
	assert.Equal(t, maxDetailAttrs, n, "plain detail attributes stay bounded")
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// Bare words become attribute names, which redaction never looks at: a word
// that may be a token stays in the raw detail only (a value, redacted
// downstream like any free text).
func TestMappingTokenLikeWordsAreNotFlags(t *testing.T) {
	const tok = "gho16C7e42F292c6912E7710c838347Ae178B4a"
	lr := mapOne(t, `{"action":"family.revoked","detail":"reuse_detection `+tok+` abc123 Revoked dG9rZW4tdmFsdWUx= family=f1"}`)
	assert.Equal(t, "f1", attrStr(lr, contract.AttrAuditDetailPrefix+"family"))
	assert.Equal(t, "true", attrStr(lr, contract.AttrAuditDetailPrefix+"reuse_detection"))
	lr.Attributes().Range(func(k string, _ pcommon.Value) bool {
		assert.NotContains(t, k, "16C7e42F")
		assert.NotContains(t, k, "abc123")
		assert.NotContains(t, k, "Revoked")
		assert.NotContains(t, k, "dG9rZW4")
		return true
	})
	assert.Equal(t, "reuse_detection "+tok+" abc123 Revoked dG9rZW4tdmFsdWUx= family=f1", attrStr(lr, contract.AttrAuditDetail))
}
