package oauthaudit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/auth0fake"
)

func auth0Rec(t *testing.T, l auth0fake.Log) plog.LogRecord {
	t.Helper()
	raw, err := json.Marshal(l)
	require.NoError(t, err)
	ev, err := parseAuth0Log(raw)
	require.NoError(t, err)
	sl := plog.NewLogRecordSlice()
	appendAuth0Record(sl, &ev, time.Now())
	require.Equal(t, 1, sl.Len())
	return sl.At(0)
}

func TestAuth0Mapping(t *testing.T) {
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	for _, tc := range []struct {
		typ, op, status, reason, grant string
		severity                       plog.SeverityNumber
	}{
		{contract.Auth0CodeExchangeSuccess, contract.OpToken, contract.StatusSuccess, "", contract.GrantAuthorizationCode, plog.SeverityNumberInfo},
		{contract.Auth0CodeExchangeFailure, contract.OpToken, contract.StatusFailure, "", contract.GrantAuthorizationCode, plog.SeverityNumberWarn},
		{contract.Auth0RefreshSuccess, contract.OpRefresh, contract.StatusSuccess, "", contract.GrantRefreshToken, plog.SeverityNumberInfo},
		{contract.Auth0RefreshFailure, contract.OpRefresh, contract.StatusFailure, "", contract.GrantRefreshToken, plog.SeverityNumberWarn},
		{contract.Auth0RefreshRevoked, contract.OpRevoke, contract.StatusSuccess, "", "", plog.SeverityNumberInfo},
		{contract.Auth0RotatingRefreshFailure, contract.OpRefresh, contract.StatusReuseDetected, contract.ReasonReuseDetected, contract.GrantRefreshToken, plog.SeverityNumberError},
		{"s", "", "", "", "", plog.SeverityNumberInfo},
		{"fp", "", "", "", "", plog.SeverityNumberInfo},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			l := auth0fake.OAuthLog(42, tc.typ, at, "auth0|u1", "client-9")
			l.Description = "Unsuccessful Refresh Token exchange, reused refresh token detected"
			lr := auth0Rec(t, l)
			a := attrs(lr)
			assert.Equal(t, tc.typ, lr.Body().Str())
			assert.Equal(t, tc.severity, lr.SeverityNumber())
			assert.Equal(t, at.UnixNano(), lr.Timestamp().AsTime().UnixNano())
			assert.Equal(t, tc.typ, a[contract.AttrAuditAction])
			assert.Equal(t, auth0fake.LogID(42), a[contract.AttrAuditID])
			assert.Equal(t, contract.ProviderAuth0, a[contract.AttrProvider])
			assert.Equal(t, contract.SideServer, a[contract.AttrSide])
			assert.Equal(t, "client-9", a[contract.AttrClientID])
			assert.Equal(t, "auth0|u1", a[contract.AttrEnduserID])
			assert.Equal(t, "203.0.113.9", a[contract.AttrClientAddress])
			assert.Equal(t, l.UserAgent, a[contract.AttrUserAgent])
			assert.Equal(t, l.Description, a[contract.AttrAuditDescription])
			assert.Equal(t, "Test App", a[contract.AttrAuditClientName])
			assert.Equal(t, "auth0|u1@example.com", a[contract.AttrAuditUserName])
			assert.Equal(t, "tenant.example.auth0.com", a[contract.AttrAuditHostname])
			assert.Equal(t, "sess-42", a[contract.AttrAuditDetailPrefix+"session_id"], "details scalars pass through")
			check := func(key, want string) {
				if want == "" {
					assert.NotContains(t, a, key)
				} else {
					assert.Equal(t, want, a[key], key)
				}
			}
			check(contract.AttrOperation, tc.op)
			check(contract.AttrStatus, tc.status)
			check(contract.AttrReason, tc.reason)
			check(contract.AttrGrantType, tc.grant)
			if tc.status == contract.StatusReuseDetected {
				check(contract.AttrReportedEventType, contract.EventTokenReuse)
			} else {
				check(contract.AttrReportedEventType, "")
			}
		})
	}
}

// A credential in details goes to its contract attribute (where
// oauth_redact fingerprints it), never to an oauth.audit.detail.* one;
// nested values are not kept.
func TestAuth0DetailsCredentials(t *testing.T) {
	l := auth0fake.OAuthLog(1, contract.Auth0RefreshFailure, time.Now(), "u", "c")
	l.Details = map[string]any{"refresh_token": "rt-value", "code": "code-value", "error": map[string]any{"message": "x"}, "bad key": "v", "n": 3}
	a := attrs(auth0Rec(t, l))
	assert.Equal(t, "rt-value", a[contract.AttrRefreshToken])
	assert.Equal(t, "code-value", a[contract.AttrCode])
	assert.Equal(t, "3", a[contract.AttrAuditDetailPrefix+"n"])
	for k := range a {
		assert.NotEqual(t, contract.AttrAuditDetailPrefix+"refresh_token", k)
		assert.NotEqual(t, contract.AttrAuditDetailPrefix+"error", k)
		assert.NotEqual(t, contract.AttrAuditDetailPrefix+"bad key", k)
	}
}

func TestAuth0MalformedLogErrorsNameTheFieldOnly(t *testing.T) {
	const secret = "eyJhbGciOiJSUzI1NiJ9.secret-value"
	for _, raw := range []string{
		`{"log_id":"1","type":"s"}`,
		`{"type":"s","date":"2026-01-01T00:00:00Z"}`,
		`{"log_id":"1","date":"2026-01-01T00:00:00Z"}`,
		`{"log_id":"1","type":"s","date":"` + secret + `"}`,
		`{"log_id":1,"type":"` + secret + `"}`,
		`{"log_id":"1","type":"s","date":"2026-01-01T00:00:00Z","details":"` + secret + `"}`,
		`["` + secret + `"]`,
		`{"log_id":"1"`,
	} {
		_, err := parseAuth0Log([]byte(raw))
		require.Error(t, err, raw)
		assert.IsType(t, &FieldError{}, err)
		assert.NotContains(t, err.Error(), "secret-value", raw)
	}
}
