package oauthnormalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// unclaimedSpans are spans no vocabulary may claim: an ordinary app's own
// /token and /register routes, OAuth paths on CLIENT or non-root spans,
// a discovery probe that found nothing.
func unclaimedSpans() ptrace.Traces {
	b := newBatch("shop")
	b.httpSpan("POST", "/token", 200)
	b.httpSpan("POST", "/register", 201)
	b.httpSpan("GET", "/authorize", 200)
	b.httpSpan("GET", "/api/items", 200)
	b.server("GET /.well-known/openid-configuration", kv{"http.method", "GET"}, kv{"http.target", "/.well-known/openid-configuration"}, kv{"http.status_code", 404})
	b.server("OPTIONS /oauth2/token", kv{"http.request.method", "OPTIONS"}, kv{"http.route", "/oauth2/token"})
	c := b.httpSpan("POST", "/oauth2/token", 200)
	c.SetKind(ptrace.SpanKindClient)
	local := b.httpSpan("POST", "/oauth/token", 200)
	local.SetParentSpanID([8]byte{9})
	local.SetFlags(0x100) // parent known to be local
	b.child(b.httpSpan("GET", "/health", 200), "db.query", 1)
	return b.td
}

func unclaimedLogs() plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, attrs := range [][]kv{
		{{"type", "REQUEST"}, {"action", "oauth_refresh_token_reuse_detected"}},
		{{"event", "user_signed_up"}},
		{{"msg", "request served"}, {"grant_type", "password"}},
		{{"type", 7}, {"action", 3}},
		{{"oauth.finding.source", "reported"}, {"type", "SECURITY_EVENT"}, {"action", "pkce_replay_detected"}},
	} {
		put(lrs.AppendEmpty().Attributes(), attrs)
	}
	lrs.AppendEmpty().Body().SetStr("token issued") // a body alone, from anything
	lrs.At(lrs.Len()-1).Attributes().PutStr("level", "INFO")
	lrs.At(lrs.Len() - 1).Body().SetStr("token issued elsewhere")
	return ld
}

func TestUnclaimedRecordsPassByteIdentical(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	td := unclaimedSpans()
	before, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	n.traces(t, td)
	after, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	ld := unclaimedLogs()
	lb, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	n.logs(t, ld)
	la, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	assert.Equal(t, lb, la)
}

func TestSwitchedOffVocabularyClaimsNothing(t *testing.T) {
	n, _ := newTestNormalizer(t, func(c *Config) {
		c.Vocabularies.Pino.Enabled = false
		c.Vocabularies.GenericHTTP.Enabled = false
	})
	ld, lr := logOf("", kv{"type", "SECURITY_EVENT"}, kv{"action", "pkce_replay_detected"})
	n.logs(t, ld)
	assert.Equal(t, 2, lr.Attributes().Len())
	b := newBatch("hydra")
	s := b.httpSpan("POST", "/oauth2/token", 200)
	n.traces(t, b.td)
	assert.Equal(t, 3, s.Attributes().Len())
}
