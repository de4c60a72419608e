package oauthnormalize

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadatatest"
)

func TestAuditFamilyRevokedByReuseIsReportedTokenReuse(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	// As the oauth_audit receiver writes it: the operation is already set.
	for _, reuse := range []kv{
		{"oauth.audit.detail.reuse_detection", true},
		{"oauth.audit.detail", "family=f1 reuse_detection"},
		{"oauth.reason", "reuse_detected"},
	} {
		ld, lr := logOf("family.revoked", kv{"oauth.audit.action", "family.revoked"}, kv{"oauth.operation", "revoke"}, kv{"oauth.side", "server"}, reuse)
		n.logs(t, ld)
		got := attrsOf(lr.Attributes())
		assert.Equal(t, "token_reuse", got["oauth.reported.event_type"], "%v", reuse)
		assert.Equal(t, "revoke", got["oauth.operation"])
	}
	// Without the receiver's mapping the vocabulary writes it all.
	ld, lr := logOf("", kv{"oauth.audit.action", "family.revoked"}, kv{"oauth.audit.detail.reuse_detection", true})
	n.logs(t, ld)
	assert.Equal(t, map[string]any{
		"oauth.audit.action": "family.revoked", "oauth.audit.detail.reuse_detection": true,
		"oauth.operation": "revoke", "oauth.status": "reuse_detected", "oauth.reason": "reuse_detected",
		"oauth.side": "server", "oauth.reported.event_type": "token_reuse",
	}, attrsOf(lr.Attributes()))

	ld, lr = logOf("", kv{"oauth.audit.action", "family.revoked"}, kv{"oauth.audit.detail", "family=f1 admin"})
	n.logs(t, ld)
	got := attrsOf(lr.Attributes())
	assert.Equal(t, "security", got["oauth.reason"])
	assert.NotContains(t, got, "oauth.reported.event_type")
}

func TestAuditActions(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	for action, want := range map[string][4]string{
		"token.issued":              {"token", "success", "", ""},
		"token.refreshed":           {"refresh", "success", "normal", "refresh_token"},
		"token.revoked":             {"revoke", "success", "manual", ""},
		"client.registered":         {"register", "success", "", ""},
		"client_credentials.denied": {"token", "failure", "", "client_credentials"},
	} {
		ld, lr := logOf("", kv{"oauth.audit.action", action})
		n.logs(t, ld)
		got := attrsOf(lr.Attributes())
		for i, k := range []string{"oauth.operation", "oauth.status", "oauth.reason", "oauth.grant_type"} {
			if want[i] == "" {
				assert.NotContains(t, got, k, action)
			} else {
				assert.Equal(t, want[i], got[k], action)
			}
		}
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func TestAuthPlaneServiceSpanMapsItsRequestRoot(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	b := newBatch("authplane")
	root := b.httpSpan("POST", "/token", 200)
	svc := b.child(root, "TokenService.ExchangeCode", 1)
	b.child(svc, "Store.GetCode", 2)
	auth := b.httpSpan("GET", "/authorize", 302)
	b.child(b.child(auth, "handler", 3), "AuthorizeService.StartAuthorization", 4)
	bad := b.httpSpan("POST", "/token", 400)
	b.child(bad, "TokenService.RefreshToken", 5)
	n.traces(t, b.td)

	assert.Equal(t, map[string]any{
		"http.request.method": "POST", "url.path": "/token", "http.response.status_code": int64(200),
		"oauth.operation": "token", "oauth.grant_type": "authorization_code", "oauth.side": "server",
		"oauth.status": "success", "oauth.provider": "authplane",
	}, attrsOf(root.Attributes()))
	assert.Equal(t, 0, svc.Attributes().Len(), "the service span is not a second record")
	got := attrsOf(auth.Attributes())
	assert.Equal(t, "authorize", got["oauth.operation"])
	assert.Equal(t, "initiated", got["oauth.status"])
	got = attrsOf(bad.Attributes())
	assert.Equal(t, "refresh", got["oauth.operation"])
	assert.Equal(t, "failure", got["oauth.status"])
}

func TestAuthPlaneServiceSpanWithoutItsRootIsCounted(t *testing.T) {
	n, tt := newTestNormalizer(t, nil)
	b := newBatch("authplane")
	root := b.httpSpan("POST", "/token", 200)
	svc := b.child(root, "TokenService.ExchangeCode", 1)
	other := newBatch("authplane")
	moved := other.spans.AppendEmpty()
	svc.CopyTo(moved)
	n.traces(t, other.td)
	assert.Equal(t, 0, moved.Attributes().Len())
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsUnmapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "authplane_spans"), attribute.String("reason", "root_not_in_batch")),
		Value:      1,
	}}, metricdatatest.IgnoreTimestamp())
}

func TestAppOperationOnRootWinsOverServerVocabulary(t *testing.T) {
	n, _ := newTestNormalizer(t, func(c *Config) { c.Vocabularies.GenericHTTP.AuthorizationServers = []string{"authplane"} })
	b := newBatch("authplane")
	root := b.httpSpan("POST", "/token", 200)
	root.Attributes().PutStr("oauth.operation", "refresh")
	b.child(root, "TokenService.ExchangeCode", 1)
	n.traces(t, b.td)
	assert.Equal(t, 4, root.Attributes().Len(), "neither AuthPlane nor generic HTTP writes on the app's record")
}

func TestAuthPlaneSlogLine(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	tid := [16]byte{7, 7, 7}
	sid := [8]byte{8, 8}
	ld, lr := logOf("token issued", kv{"grant_type", "refresh_token"}, kv{"client_id", "cli"}, kv{"sub", "user-1"},
		kv{"jti", "j1"}, kv{"trace_id", hexOf(tid[:])}, kv{"span_id", hexOf(sid[:])})
	n.logs(t, ld)
	got := attrsOf(lr.Attributes())
	assert.Equal(t, "refresh", got["oauth.operation"])
	assert.Equal(t, "refresh_token", got["oauth.grant_type"])
	assert.Equal(t, "cli", got["oauth.client_id"])
	assert.Equal(t, "user-1", got["enduser.id"])
	assert.Equal(t, "server", got["oauth.side"])
	assert.Equal(t, "success", got["oauth.status"])
	assert.Equal(t, "authplane", got["oauth.provider"])
	assert.Equal(t, tid, [16]byte(lr.TraceID()), "the line carries its trace context, so the connector can join it to its span")
	assert.Equal(t, sid, [8]byte(lr.SpanID()))

	ld, lr = logOf("", kv{"msg", "token issued"}, kv{"grant_type", "authorization_code"}, kv{"trace_id", "not-hex"})
	n.logs(t, ld)
	assert.Equal(t, "token", lr.Attributes().AsRaw()["oauth.operation"])
	assert.True(t, lr.TraceID().IsEmpty(), "a malformed id is ignored")
}

func TestSlogLineOfACountedSpanIsNotASecondRecord(t *testing.T) {
	n, tt := newTestNormalizer(t, nil)
	b := newBatch("authplane")
	root := b.httpSpan("POST", "/token", 200)
	svc := b.child(root, "TokenService.ExchangeCode", 1)
	n.traces(t, b.td)
	for _, sp := range []ptrace.Span{svc, root} {
		tid, sid := sp.TraceID(), sp.SpanID()
		ld, lr := logOf("token issued", kv{"grant_type", "authorization_code"}, kv{"trace_id", hexOf(tid[:])}, kv{"span_id", hexOf(sid[:])})
		n.logs(t, ld)
		assert.NotContains(t, attrsOf(lr.Attributes()), "oauth.operation")
	}
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsUnmapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "authplane_slog"), attribute.String("reason", "span_already_counted")),
		Value:      2,
	}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsMapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "authplane_spans")),
		Value:      1,
	}}, metricdatatest.IgnoreTimestamp())
}
