package oauthspanmetrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// The contract v2 rules of sections 1, 2 and 4 in the connector.

// introspect is a known operation: no metric, no overflow, but a finding
// on it is counted.
func TestIntrospectFeedsNoMetric(t *testing.T) {
	h := newHarness(t, defaultConfig(), "introspect", nil, nil)
	b := newSpans("service.name", "as")
	b.add(time.Unix(1_700_000_000, 0), time.Millisecond, contract.AttrOperation, contract.OpIntrospect)
	sp := b.add(time.Unix(1_700_000_001, 0), time.Millisecond, contract.AttrOperation, contract.OpIntrospect)
	sp.Attributes().PutEmptySlice(contract.AttrSecurityFindings).AppendEmpty().SetStr(contract.EventTokenReuse)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	assert.Zero(t, h.traces.agg.st.overflow["operation"], "introspect is not an unknown operation")
	assert.Equal(t, 1.0, mustPoint(t, md, "as", contract.MetricSecurityEventsTotal,
		contract.LabelEventType, contract.EventTokenReuse, contract.LabelSeverity, contract.SeverityCritical))
	for _, m := range []string{contract.MetricFlowsTotal, contract.MetricTokenExchangesTotal, contract.MetricTokenRefreshTotal, contract.MetricTokenRevocationsTotal} {
		assert.Zero(t, total(md.ResourceMetrics(), m), m)
	}
}

// A server token with grant authorization_code is its flow's outcome; its
// duration is observed only when the server's flow id joins it to its
// authorize.
func TestServerFlowOutcome(t *testing.T) {
	h := newHarness(t, defaultConfig(), "serverflow", nil, nil)
	t0 := time.Unix(1_700_000_000, 0)
	server := func(b *spanBuilder, at time.Time, dur time.Duration, kv ...string) ptrace.Span {
		sp := b.add(at, dur, kv...)
		sp.SetKind(ptrace.SpanKindServer)
		return sp
	}
	code := []string{contract.AttrOperation, contract.OpToken, contract.AttrGrantType, contract.GrantAuthorizationCode, contract.AttrProvider, "as1"}
	b := newSpans("service.name", "as")
	server(b, t0, 5*time.Millisecond, contract.AttrOperation, contract.OpAuthorize, contract.AttrProvider, "as1", contract.AttrFlowID, "f-1")
	server(b, t0, 5*time.Millisecond, contract.AttrOperation, contract.OpAuthorize, contract.AttrProvider, "as1")
	// Joined by its flow id, 4 s after the authorize started.
	server(b, t0.Add(4*time.Second), 5*time.Millisecond, append(code, contract.AttrFlowID, "f-1")...)
	// Not joinable: counted, no duration.
	server(b, t0.Add(5*time.Second), 5*time.Millisecond, code...)
	failed := server(b, t0.Add(6*time.Second), 5*time.Millisecond, code...)
	failed.Status().SetCode(ptrace.StatusCodeError)
	// A client's own exchange (CLIENT span) is not a server flow outcome.
	b.add(t0, time.Millisecond, code...).SetKind(ptrace.SpanKindClient)
	// Another grant is not a flow.
	server(b, t0, time.Millisecond, contract.AttrOperation, contract.OpToken, contract.AttrGrantType, contract.GrantClientCredentials)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	assert.Equal(t, 2.0, mustPoint(t, md, "as", contract.MetricFlowsTotal, contract.LabelProvider, "as1", contract.LabelStatus, contract.StatusInitiated))
	assert.Equal(t, 2.0, mustPoint(t, md, "as", contract.MetricFlowsTotal, contract.LabelProvider, "as1", contract.LabelStatus, contract.StatusSuccess))
	assert.Equal(t, 1.0, mustPoint(t, md, "as", contract.MetricFlowsTotal, contract.LabelProvider, "as1", contract.LabelStatus, contract.StatusFailure))
	dp := histPointOf(t, md, "as", contract.MetricFlowDuration)
	assert.Equal(t, uint64(1), dp.Count(), "only the exchange joined by its flow id")
	assert.InDelta(t, 4.005, dp.Sum(), 1e-9)
}

// oauth.pkce.reason on an exchange also counts as a pkce.validate.
func TestExchangePKCEReason(t *testing.T) {
	h := newHarness(t, defaultConfig(), "exchangepkce", nil, nil)
	t0 := time.Unix(1_700_000_000, 0)
	b := newSpans("service.name", "as", contract.AttrSide, contract.SideServer)
	ex := []string{contract.AttrOperation, contract.OpToken, contract.AttrGrantType, contract.GrantAuthorizationCode}
	b.add(t0, time.Millisecond, append(ex, contract.AttrPKCEReason, contract.ReasonValid)...)
	b.add(t0, time.Millisecond, append(ex, contract.AttrPKCEReason, contract.ReasonInvalidHash, contract.AttrStatus, contract.StatusFailure)...)
	b.add(t0, time.Millisecond, append(ex, contract.AttrPKCEReason, "localised: code_verifier falsch")...)
	b.add(t0, time.Millisecond, ex...)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	assert.Equal(t, 1.0, mustPoint(t, md, "as", contract.MetricPKCEValidationsTotal, contract.LabelStatus, contract.StatusSuccess, contract.LabelReason, contract.ReasonValid))
	assert.Equal(t, 1.0, mustPoint(t, md, "as", contract.MetricPKCEValidationsTotal, contract.LabelStatus, contract.StatusFailure, contract.LabelReason, contract.ReasonInvalidHash))
	assert.Equal(t, 1.0, mustPoint(t, md, "as", contract.MetricPKCEValidationsTotal, contract.LabelStatus, contract.StatusFailure, contract.LabelReason, contract.Other))
	assert.Equal(t, 3.0, total(md.ResourceMetrics(), contract.MetricPKCEValidationsTotal))
}

// callback, pkce.create and pkce.cleanup without oauth.side are the
// client's, whatever the span kind (section 2).
func TestClientOperationsWithoutSide(t *testing.T) {
	cfg := defaultConfig()
	cfg.Sides = []string{contract.SideClient}
	h := newHarness(t, cfg, "clientops", nil, nil)
	t0 := time.Unix(1_700_000_000, 0)
	b := newSpans("service.name", "app")
	b.add(t0, time.Second, contract.AttrOperation, contract.OpCallback, contract.AttrProvider, "p").SetKind(ptrace.SpanKindServer)
	b.add(t0, time.Millisecond, contract.AttrOperation, contract.OpPKCECreate).SetKind(ptrace.SpanKindInternal)
	b.add(t0, time.Millisecond, contract.AttrOperation, contract.OpPKCECleanup).SetKind(ptrace.SpanKindServer)
	// With an explicit side, or another operation, the rule does not apply.
	b.add(t0, time.Second, contract.AttrOperation, contract.OpCallback, contract.AttrSide, contract.SideServer, contract.AttrProvider, "p")
	b.add(t0, time.Millisecond, contract.AttrOperation, contract.OpPKCEValidate).SetKind(ptrace.SpanKindServer)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	assert.Equal(t, 1.0, mustPoint(t, md, "app", contract.MetricFlowsTotal, contract.LabelProvider, "p", contract.LabelStatus, contract.StatusSuccess))
	assert.Equal(t, 1.0, total(md.ResourceMetrics(), contract.MetricPKCEStatesCreatedTotal))
	assert.Equal(t, 1.0, total(md.ResourceMetrics(), contract.MetricPKCEStatesCleanedTotal))
	assert.Zero(t, total(md.ResourceMetrics(), contract.MetricPKCEValidationsTotal))
}
