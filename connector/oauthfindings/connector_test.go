package oauthfindings

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthfindings/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity"
)

var oauthsecurityType = component.MustNewType("oauth_security")

func newTestConnector(t *testing.T) (*findingsConnector, *consumertest.LogsSink) {
	t.Helper()
	sink := new(consumertest.LogsSink)
	c, err := NewFactory().CreateTracesToLogs(context.Background(), connectortest.NewNopSettings(metadata.Type), createDefaultConfig(), sink)
	require.NoError(t, err)
	fc := c.(*findingsConnector)
	fc.now = func() time.Time { return time.Unix(1_800_000_000, 0) }
	return fc, sink
}

func annotatedSpan(td ptrace.Traces, findings ...string) ptrace.Span {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "auth-server")
	rs.Resource().Attributes().PutStr("host.name", "not-copied")
	rs.Resource().Attributes().PutStr(contract.AttrClientID, "client-1")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	sp.SetKind(ptrace.SpanKindServer)
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Unix(1_700_000_000, 0)))
	a := sp.Attributes()
	a.PutStr(contract.AttrOperation, contract.OpRefresh)
	a.PutStr(contract.AttrEnduserID, "alice")
	a.PutStr(contract.AttrProvider, "github")
	sl := a.PutEmptySlice(contract.AttrSecurityFindings)
	for _, f := range findings {
		sl.AppendEmpty().SetStr(f)
	}
	return sp
}

func TestOneLogRecordPerFinding(t *testing.T) {
	c, sink := newTestConnector(t)
	td := ptrace.NewTraces()
	fpv := contract.NewFingerprinter(testkey.Key).Fingerprint("rt")
	sp := annotatedSpan(td, contract.EventTokenReuse, contract.EventOwnershipViolation, contract.EventTokenReuse, "unknown_type")
	sp.Attributes().PutStr(contract.AttrRefreshToken, fpv)
	sp.Attributes().PutStr(contract.AttrCode, "raw-code-value-never-copied")
	sp.Attributes().PutStr(contract.AttrState, "[REDACTED]")
	sp.Attributes().PutStr(contract.AttrSecurityEventType, contract.EventTokenReuse)
	sp.Attributes().PutStr(contract.AttrSecurityRuleName, "refresh_token_reuse")
	ev := sp.Events().AppendEmpty()
	ev.SetName("oauth_ownership_violation")
	ev.Attributes().PutStr(contract.AttrFindingSource, contract.SourceReported)
	ev.Attributes().PutStr(contract.AttrSecurityRuleName, "reported_security_event")
	// A span without findings gives nothing.
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty().Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)

	require.NoError(t, c.ConsumeTraces(context.Background(), td))
	require.Len(t, sink.AllLogs(), 1)
	ld := sink.AllLogs()[0]
	require.Equal(t, 2, ld.LogRecordCount())
	rl := ld.ResourceLogs().At(0)
	assert.Equal(t, map[string]any{"service.name": "auth-server"}, rl.Resource().Attributes().AsRaw())
	assert.Equal(t, scopeName, rl.ScopeLogs().At(0).Scope().Name())

	reuse := rl.ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "oauth_refresh_token_reuse_detected", reuse.Body().Str())
	assert.Equal(t, "oauth_refresh_token_reuse_detected", reuse.EventName())
	assert.Equal(t, sp.TraceID(), reuse.TraceID())
	assert.Equal(t, sp.SpanID(), reuse.SpanID())
	assert.Equal(t, sp.EndTimestamp(), reuse.Timestamp())
	assert.Equal(t, plog.SeverityNumberError, reuse.SeverityNumber())
	assert.Equal(t, map[string]any{
		contract.AttrEventName:         "oauth_refresh_token_reuse_detected",
		contract.AttrSecurityEventType: contract.EventTokenReuse,
		contract.AttrSecuritySeverity:  contract.SeverityCritical,
		contract.AttrSecurityRuleName:  "refresh_token_reuse",
		contract.AttrFindingSource:     contract.SourceDetected,
		contract.AttrSide:              contract.SideServer,
		contract.AttrEnduserID:         "alice",
		contract.AttrClientID:          "client-1",
		contract.AttrProvider:          "github",
		contract.AttrOperation:         contract.OpRefresh,
		contract.AttrRefreshToken:      fpv,
	}, reuse.Attributes().AsRaw())

	own := rl.ScopeLogs().At(0).LogRecords().At(1)
	assert.Equal(t, "oauth_ownership_violation", own.Body().Str())
	assert.Equal(t, plog.SeverityNumberWarn, own.SeverityNumber())
	assert.Equal(t, contract.SourceReported, str(own.Attributes(), contract.AttrFindingSource))
	assert.Equal(t, "reported_security_event", str(own.Attributes(), contract.AttrSecurityRuleName))
	assert.True(t, contract.IsFindingRecord(own.Attributes()))
}

func TestNothingSecretLeaves(t *testing.T) {
	c, sink := newTestConnector(t)
	td := ptrace.NewTraces()
	sp := annotatedSpan(td, contract.EventCodeInjection)
	const raw = "raw-secret-ABCDEFGHIJKLMNOP"
	for _, k := range []string{contract.AttrRefreshToken, contract.AttrCode, contract.AttrState, contract.AttrCodeVerifier, "oauth.access_token", "authorization", "url.full"} {
		sp.Attributes().PutStr(k, raw)
	}
	sp.Attributes().PutStr(contract.AttrCodeVerifier, "fp:"+raw) // malformed fingerprint
	require.NoError(t, c.ConsumeTraces(context.Background(), td))
	require.Equal(t, 1, sink.LogRecordCount())
	lr := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		assert.NotContains(t, v.AsString(), raw, k)
		return true
	})
}

func TestNoFindingsNoLogs(t *testing.T) {
	c, sink := newTestConnector(t)
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	sp := annotatedSpan(td, contract.EventTokenReuse)
	sp.Attributes().PutStr(contract.AttrFindingSource, contract.SourceDetected) // produced by us: never again
	annotatedSpan(td)
	require.NoError(t, c.ConsumeTraces(context.Background(), td))
	assert.Zero(t, sink.LogRecordCount())
	assert.Empty(t, sink.AllLogs())
}

// TestWithSecurityProcessor runs oauth_security then this connector: a
// replayed refresh token on a span becomes one log record for Loki.
func TestWithSecurityProcessor(t *testing.T) {
	c, sink := newTestConnector(t)
	pcfg := oauthsecurity.NewFactory().CreateDefaultConfig().(*oauthsecurity.Config)
	pcfg.FingerprintKey = testkey.Key
	spans := new(consumertest.TracesSink)
	proc, err := oauthsecurity.NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(oauthsecurityType), pcfg, spans)
	require.NoError(t, err)
	require.NoError(t, proc.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, proc.Shutdown(context.Background())) }()

	fpv := contract.NewFingerprinter(testkey.Key).Fingerprint("refresh-token-1")
	for i := byte(1); i <= 2; i++ {
		td := ptrace.NewTraces()
		sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{i, 1})
		sp.SetSpanID(pcommon.SpanID{i, 1})
		sp.SetKind(ptrace.SpanKindServer)
		sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
		sp.Attributes().PutStr(contract.AttrRefreshToken, fpv)
		require.NoError(t, proc.ConsumeTraces(context.Background(), td))
		require.NoError(t, c.ConsumeTraces(context.Background(), spans.AllTraces()[len(spans.AllTraces())-1]))
	}
	require.Equal(t, 1, sink.LogRecordCount())
	lr := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "oauth_refresh_token_reuse_detected", lr.Body().Str())
	assert.Equal(t, contract.SourceDetected, str(lr.Attributes(), contract.AttrFindingSource))
	assert.Equal(t, "refresh_token_reuse", str(lr.Attributes(), contract.AttrSecurityRuleName))
	assert.Equal(t, contract.StatusReuseDetected, str(lr.Attributes(), contract.AttrStatus))
	assert.Equal(t, pcommon.TraceID{2, 1}, lr.TraceID())
}

func str(m pcommon.Map, k string) string {
	v, _ := m.Get(k)
	return v.AsString()
}
