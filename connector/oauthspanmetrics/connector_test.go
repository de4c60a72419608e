package oauthspanmetrics

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadatatest"
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
)

var ctx = context.Background()

func TestSharedAggregatorLifecycle(t *testing.T) {
	cfg := defaultConfig()
	h := newHarness(t, cfg, "shared", nil, nil)
	a := h.traces.agg

	// Shutting down one side keeps the other counting into the same series.
	require.NoError(t, h.traces.Shutdown(ctx))
	require.NoError(t, h.traces.Shutdown(ctx), "a second Shutdown is a no-op")
	ld, lrs := newLogs("service.name", "svc")
	lrs.AppendEmpty().Attributes().PutStr(contract.AttrOperation, contract.OpRegister)
	require.NoError(t, h.logs.ConsumeLogs(ctx, ld))
	assert.Equal(t, 1.0, mustPoint(t, h.flush(), "svc", contract.MetricClientRegistrationsTotal, "status", "success"))

	require.NoError(t, h.logs.Shutdown(ctx))
	assert.False(t, registered(a.id), "the last shutdown removes the aggregator")

	// A new connector with the same id starts from scratch.
	h2 := newHarness(t, cfg, "shared", nil, nil)
	assert.NotSame(t, a, h2.traces.agg)
	_, ok := point(t, h2.flush(), "svc", contract.MetricClientRegistrationsTotal, "status", "success")
	assert.False(t, ok)
}

func TestDistinctIDsDoNotShare(t *testing.T) {
	h1 := newHarness(t, defaultConfig(), "one", nil, nil)
	h2 := newHarness(t, defaultConfig(), "two", nil, nil)
	assert.NotSame(t, h1.traces.agg, h2.traces.agg)
}

func TestCumulativeStableAndReemitted(t *testing.T) {
	h := newHarness(t, defaultConfig(), "cumulative", nil, nil)

	// Before any data: the label-less counters and the gauges at 0.
	md := h.flush()
	for _, name := range []string{
		contract.MetricPKCEStatesCreatedTotal, contract.MetricCodeInjectionAttemptsTotal,
		contract.MetricActiveTokens, contract.MetricActivePKCEStates,
	} {
		assert.Equal(t, 0.0, mustPoint(t, md, "", name), name)
	}
	start := startOf(t, md, contract.MetricPKCEStatesCreatedTotal)

	b := newSpans("service.name", "svc")
	b.add(h.clock.Now(), 300*time.Millisecond, contract.AttrOperation, contract.OpRefresh)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	h.clock.Advance(15 * time.Second)
	md = h.flush()
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricTokenRefreshTotal, "status", "success", "reason", "normal"))

	// Nothing new: the same series, the same values, the same start.
	h.clock.Advance(15 * time.Second)
	md = h.flush()
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricTokenRefreshTotal, "status", "success", "reason", "normal"))
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricTokenRefreshDuration, "status", "success"))
	assert.Equal(t, start, startOf(t, md, contract.MetricTokenRefreshTotal))
	assert.Equal(t, start, startOf(t, md, contract.MetricTokenRefreshDuration))

	// Cumulative: a second refresh adds up.
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md = h.flush()
	assert.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricTokenRefreshTotal, "status", "success", "reason", "normal"))
	for _, rm := range md.ResourceMetrics().All() {
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			switch m.Type() {
			case pmetric.MetricTypeSum:
				assert.Equal(t, pmetric.AggregationTemporalityCumulative, m.Sum().AggregationTemporality())
				assert.True(t, m.Sum().IsMonotonic())
				assert.Empty(t, m.Unit(), m.Name())
			case pmetric.MetricTypeHistogram:
				assert.Equal(t, pmetric.AggregationTemporalityCumulative, m.Histogram().AggregationTemporality())
				assert.Equal(t, "s", m.Unit())
			case pmetric.MetricTypeGauge:
				assert.Empty(t, m.Unit(), m.Name())
			}
		}
	}
}

func startOf(t *testing.T, md pmetric.Metrics, name string) pcommon.Timestamp {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() != name {
				continue
			}
			switch m.Type() {
			case pmetric.MetricTypeSum:
				return m.Sum().DataPoints().At(0).StartTimestamp()
			case pmetric.MetricTypeHistogram:
				return m.Histogram().DataPoints().At(0).StartTimestamp()
			}
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

func TestFlowJoinAndTTL(t *testing.T) {
	cfg := defaultConfig()
	cfg.FlowTTL = time.Minute
	h := newHarness(t, cfg, "flows", nil, nil)
	t0 := time.Unix(1_700_000_000, 0)

	b := newSpans("service.name", "svc")
	b.add(t0, 10*time.Millisecond, contract.AttrOperation, contract.OpAuthorize, contract.AttrProvider, "p", contract.AttrState, "fp:a")
	b.add(t0, 10*time.Millisecond, contract.AttrOperation, contract.OpAuthorize, contract.AttrProvider, "p", contract.AttrState, "fp:b")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))

	// fp:a comes back within the TTL: 20 s since its authorize (bucket le=30).
	b = newSpans("service.name", "svc")
	b.add(t0.Add(19*time.Second), time.Second, contract.AttrOperation, contract.OpCallback, contract.AttrProvider, "p", contract.AttrState, "fp:a")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))

	// fp:b comes back after the TTL: only its own 100 ms remain (bucket le=0.5).
	h.clock.Advance(2 * time.Minute)
	h.flush()
	b = newSpans("service.name", "svc")
	b.add(t0.Add(130*time.Second), 100*time.Millisecond, contract.AttrOperation, contract.OpCallback, contract.AttrProvider, "p", contract.AttrState, "fp:b")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))

	dp := histPointOf(t, h.flush(), "svc", contract.MetricFlowDuration)
	assert.Equal(t, uint64(2), dp.Count())
	assert.InDelta(t, 20.1, dp.Sum(), 1e-9)
	assert.Equal(t, []uint64{1, 0, 0, 0, 0, 1, 0, 0}, dp.BucketCounts().AsRaw())
	assert.Equal(t, contract.FlowBuckets, dp.ExplicitBounds().AsRaw())
	assert.Zero(t, h.traces.agg.st.flows.live, "joined and expired flows are gone")
}

func histPointOf(t *testing.T, md pmetric.Metrics, svc, name string) pmetric.HistogramDataPoint {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		if v, ok := rm.Resource().Attributes().Get("service.name"); !ok || v.Str() != svc {
			continue
		}
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() == name {
				return m.Histogram().DataPoints().At(0)
			}
		}
	}
	t.Fatalf("no %s for %s", name, svc)
	return pmetric.HistogramDataPoint{}
}

func TestActiveTokensExpireAndRotate(t *testing.T) {
	h := newHarness(t, defaultConfig(), "tokens", nil, nil)
	now := h.clock.Now()
	b := newSpans("service.name", "svc")
	b.add(now, time.Millisecond, contract.AttrOperation, contract.OpToken, contract.AttrTokenExpiresIn, "60")
	sp := b.add(now, time.Millisecond, contract.AttrOperation, contract.OpCallback)
	sp.Attributes().PutInt(contract.AttrTokenExpiresIn, 3600)
	b.add(now, time.Millisecond, contract.AttrOperation, contract.OpToken) // no expiry
	failed := b.add(now, time.Millisecond, contract.AttrOperation, contract.OpToken)
	failed.Status().SetCode(ptrace.StatusCodeError) // not issued
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	assert.Equal(t, 3.0, mustPoint(t, h.flush(), "svc", contract.MetricActiveTokens))

	h.clock.Advance(61 * time.Second)
	assert.Equal(t, 2.0, mustPoint(t, h.flush(), "svc", contract.MetricActiveTokens), "the 60 s token expired")

	// A refresh rotates the soonest-expiring token (the 3600 s one) away and
	// issues a 10 s one; a revocation ends one more.
	b = newSpans("service.name", "svc")
	b.add(now, time.Millisecond, contract.AttrOperation, contract.OpRefresh, contract.AttrTokenExpiresIn, "10")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	assert.Equal(t, 2.0, mustPoint(t, h.flush(), "svc", contract.MetricActiveTokens))
	h.clock.Advance(11 * time.Second)
	assert.Equal(t, 1.0, mustPoint(t, h.flush(), "svc", contract.MetricActiveTokens))
	b = newSpans("service.name", "svc")
	b.add(now, time.Millisecond, contract.AttrOperation, contract.OpRevoke, contract.AttrReason, "manual")
	b.add(now, time.Millisecond, contract.AttrOperation, contract.OpRevoke, contract.AttrReason, "manual")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	assert.Equal(t, 0.0, mustPoint(t, h.flush(), "svc", contract.MetricActiveTokens), "never below zero")
	assert.Equal(t, 2.0, mustPoint(t, h.flush(), "svc", contract.MetricTokenRevocationsTotal, "reason", "manual"))
}

func TestPKCEStatesTTL(t *testing.T) {
	cfg := defaultConfig()
	cfg.PKCEStateTTL = 5 * time.Minute
	h := newHarness(t, cfg, "pkce", nil, nil)
	b := newSpans("service.name", "svc")
	for _, st := range []string{"fp:1", "fp:2", ""} {
		b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCECreate, contract.AttrState, st)
	}
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	h.clock.Advance(4 * time.Minute)
	b = newSpans("service.name", "svc")
	b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCECreate, contract.AttrState, "fp:4")
	b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCEValidate, contract.AttrState, "fp:2")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	assert.Equal(t, 3.0, mustPoint(t, md, "svc", contract.MetricActivePKCEStates))
	assert.Equal(t, 4.0, mustPoint(t, md, "svc", contract.MetricPKCEStatesCreatedTotal))

	h.clock.Advance(90 * time.Second) // the first batch is past its 5 min
	assert.Equal(t, 1.0, mustPoint(t, h.flush(), "svc", contract.MetricActivePKCEStates))
	h.clock.Advance(5 * time.Minute)
	assert.Equal(t, 0.0, mustPoint(t, h.flush(), "svc", contract.MetricActivePKCEStates))
}

func TestCardinalityBounds(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(ctx)) })
	set := metadatatest.NewSettings(tel)
	set.ID = component.MustNewIDWithName(metadata.Type.String(), "cardinality")
	cfg := defaultConfig()
	cfg.MaxProviders = 2
	h := newHarnessWithSettings(t, cfg, set, nil, nil)

	b := newSpans("service.name", "svc")
	for _, p := range []string{"a", "b", "c", "a", "d"} {
		b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpAuthorize, contract.AttrProvider, p,
			contract.AttrState, "fp:secret-state-"+p, contract.AttrEnduserID, "user-"+p)
	}
	b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpRegister, contract.AttrStatus, "exploded")
	b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, "telepathy")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	assert.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricFlowsTotal, "provider", "a", "status", "initiated"))
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricFlowsTotal, "provider", "b", "status", "initiated"))
	assert.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricFlowsTotal, "provider", "other", "status", "initiated"))
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricClientRegistrationsTotal, "status", "other"))

	// Fingerprints and user ids never become labels.
	for _, rm := range md.ResourceMetrics().All() {
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Type() != pmetric.MetricTypeSum {
				continue
			}
			for _, dp := range m.Sum().DataPoints().All() {
				for _, v := range dp.Attributes().All() {
					assert.NotContains(t, v.AsString(), "fp:")
					assert.NotContains(t, v.AsString(), "user-")
				}
			}
		}
	}

	metadatatest.AssertEqualConnectorOauthSpanMetricsLabelOverflow(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("label", "operation"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("label", "provider"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("label", "status"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestBoundedStateEvictions(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(ctx)) })
	set := metadatatest.NewSettings(tel)
	set.ID = component.MustNewIDWithName(metadata.Type.String(), "bounded")
	h := newHarnessWithSettings(t, defaultConfig(), set, nil, nil)
	st := h.traces.agg.st
	st.maxFlows, st.maxTokens, st.maxPKCE, st.maxGroups = 2, 2, 2, 3
	st.dedup = newDedupSet(2, time.Hour)

	for i := range 5 {
		svc := string(rune('a' + i))
		b := newSpans("service.name", svc)
		b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpAuthorize, contract.AttrState, "fp:"+svc)
		b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpToken)
		b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCECreate)
		require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	}
	assert.Equal(t, 2, st.flows.live)
	assert.Equal(t, 2, st.tokens)
	assert.Equal(t, 2, st.pkce)
	assert.Equal(t, 2, st.dedup.len())
	assert.Len(t, st.groups, 4, "three groups, then one overflow group")
	md := h.flush()
	assert.Equal(t, 3.0, mustPoint(t, md, "other", contract.MetricPKCEStatesCreatedTotal), "services past the bound count as other")

	metadatatest.AssertEqualConnectorOauthSpanMetricsStateEvictions(t, tel, []metricdata.DataPoint[int64]{
		{Value: 13, Attributes: attribute.NewSet(attribute.String("state", "dedup"))},
		{Value: 3, Attributes: attribute.NewSet(attribute.String("state", "flows"))},
		{Value: 3, Attributes: attribute.NewSet(attribute.String("state", "pkce_states"))},
		{Value: 3, Attributes: attribute.NewSet(attribute.String("state", "tokens"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestLogsCountOnceAndFindingRecordsSkipped(t *testing.T) {
	h := newHarness(t, defaultConfig(), "once", nil, nil)
	b := newSpans("service.name", "svc")
	sp := b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpRefresh)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))

	ld, lrs := newLogs("service.name", "svc")
	same := lrs.AppendEmpty() // the span's own log line
	same.SetTraceID(sp.TraceID())
	same.SetSpanID(sp.SpanID())
	same.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	other := lrs.AppendEmpty() // another refresh, no span
	other.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	finding := lrs.AppendEmpty()
	finding.Attributes().PutStr(contract.AttrFindingSource, contract.SourceDetected)
	finding.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	finding.Attributes().PutEmptySlice(contract.AttrSecurityFindings).AppendEmpty().SetStr(contract.EventTokenReuse)
	require.NoError(t, h.logs.ConsumeLogs(ctx, ld))

	md := h.flush()
	assert.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricTokenRefreshTotal, "status", "success", "reason", "normal"))
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricTokenRefreshDuration, "status", "success"), "a log without oauth.duration feeds counters only")
	_, ok := point(t, md, "svc", contract.MetricSecurityEventsTotal, "event_type", "token_reuse", "severity", "critical")
	assert.False(t, ok)
}

func TestExemplars(t *testing.T) {
	cfg := defaultConfig()
	cfg.Exemplars = true
	h := newHarness(t, cfg, "exemplars", nil, nil)
	b := newSpans("service.name", "svc")
	sp := b.add(h.clock.Now(), 700*time.Millisecond, contract.AttrOperation, contract.OpRefresh)
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	dp := histPointOf(t, md, "svc", contract.MetricTokenRefreshDuration)
	require.Equal(t, 1, dp.Exemplars().Len())
	ex := dp.Exemplars().At(0)
	assert.Equal(t, sp.TraceID(), ex.TraceID())
	assert.Equal(t, sp.SpanID(), ex.SpanID())
	assert.InDelta(t, 0.7, ex.DoubleValue(), 1e-9)
	// Counters too.
	var counterEx int
	for _, m := range md.ResourceMetrics().At(1).ScopeMetrics().At(0).Metrics().All() {
		if m.Name() == contract.MetricTokenRefreshTotal {
			counterEx = m.Sum().DataPoints().At(0).Exemplars().Len()
		}
	}
	assert.Equal(t, 1, counterEx)
	// The latest exemplar stays until a newer record replaces it.
	again := histPointOf(t, h.flush(), "svc", contract.MetricTokenRefreshDuration).Exemplars()
	require.Equal(t, 1, again.Len())
	assert.Equal(t, sp.SpanID(), again.At(0).SpanID())
	b2 := newSpans("service.name", "svc")
	newer := b2.add(h.clock.Now(), 2*time.Second, contract.AttrOperation, contract.OpRefresh)
	newer.SetSpanID(pcommon.SpanID{7, 7, 7})
	require.NoError(t, h.traces.ConsumeTraces(ctx, b2.td))
	again = histPointOf(t, h.flush(), "svc", contract.MetricTokenRefreshDuration).Exemplars()
	require.Equal(t, 1, again.Len())
	assert.Equal(t, newer.SpanID(), again.At(0).SpanID())
	assert.InDelta(t, 2.0, again.At(0).DoubleValue(), 1e-9)

	// Off by default.
	h2 := newHarness(t, defaultConfig(), "noexemplars", nil, nil)
	require.NoError(t, h2.traces.ConsumeTraces(ctx, b.td))
	assert.Equal(t, 0, histPointOf(t, h2.flush(), "svc", contract.MetricTokenRefreshDuration).Exemplars().Len())
}

// An app reporting a reuse without a reason counts as the security
// processor's detected reuse does: status and reason reuse_detected.
func TestReportedReuseGetsReuseReason(t *testing.T) {
	h := newHarness(t, defaultConfig(), "reported_reuse", nil, nil)
	ld, lrs := newLogs("service.name", "svc")
	a := lrs.AppendEmpty().Attributes()
	a.PutStr(contract.AttrOperation, contract.OpRefresh)
	a.PutStr(contract.AttrStatus, contract.StatusReuseDetected)
	require.NoError(t, h.logs.ConsumeLogs(ctx, ld))
	assert.Equal(t, 1.0, mustPoint(t, h.flush(), "svc", contract.MetricTokenRefreshTotal, "status", "reuse_detected", "reason", "reuse_detected"))
}

// The scanned-field derivation must agree with internal/contract's.
func TestDerivationMatchesContract(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		kind ptrace.SpanKind
		code ptrace.StatusCode
	}{
		{[]string{contract.AttrOperation, "authorize"}, ptrace.SpanKindClient, ptrace.StatusCodeUnset},
		{[]string{contract.AttrOperation, "refresh"}, ptrace.SpanKindServer, ptrace.StatusCodeError},
		{[]string{contract.AttrOperation, "refresh", contract.AttrSide, "both"}, ptrace.SpanKindServer, ptrace.StatusCodeOk},
		{[]string{contract.AttrOperation, "pkce.validate", contract.AttrSide, "client"}, ptrace.SpanKindServer, ptrace.StatusCodeOk},
		{[]string{contract.AttrOperation, "refresh", contract.AttrStatus, "failure", contract.AttrReason, "no_record"}, ptrace.SpanKindInternal, ptrace.StatusCodeOk},
		{[]string{contract.AttrOperation, "revoke"}, ptrace.SpanKindUnspecified, ptrace.StatusCodeUnset},
		{[]string{contract.AttrOperation, "refresh", contract.AttrStatus, "reuse_detected"}, ptrace.SpanKindServer, ptrace.StatusCodeOk},
	} {
		m := pcommon.NewMap()
		for i := 0; i+1 < len(tc.kv); i += 2 {
			m.PutStr(tc.kv[i], tc.kv[i+1])
		}
		none := pcommon.NewMap()
		var f fields
		f.scan(m, true)
		op := contract.Operation(m, none)
		assert.Equal(t, contract.Side(m, none, tc.kind), f.sideOf(tc.kind), tc.kv)
		status := contract.Status(m, none, op, tc.code)
		assert.Equal(t, status, f.statusOf(tc.code), tc.kv)
		assert.Equal(t, contract.Reason(m, none, op, status), f.reasonOf(status), tc.kv)
	}
}

func TestRestartWithStorage(t *testing.T) {
	storeID := component.MustNewID("file_storage")
	store := storagetest.New()
	host := storagetest.NewHost(map[component.ID]component.Component{storeID: store})
	cfg := defaultConfig()
	cfg.Storage = &storeID
	clock := newFakeClock()

	h := newHarness(t, cfg, "restart", host, clock)
	b := newSpans("service.name", "svc")
	b.add(clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpToken, contract.AttrTokenExpiresIn, "600")
	b.add(clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpToken)
	b.add(clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpToken, contract.AttrTokenExpiresIn, "60")
	b.add(clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCECreate, contract.AttrState, "fp:x")
	b.add(clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCECreate, contract.AttrState, "fp:y")
	require.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
	md := h.flush()
	require.Equal(t, 3.0, mustPoint(t, md, "svc", contract.MetricActiveTokens))
	require.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricActivePKCEStates))
	sets := store.Sets()
	h.flush()
	require.Equal(t, sets, store.Sets(), "unchanged state is not written again")
	h.shutdown()

	// The "process" restarts 30 s later: the gauges come back, and the
	// restored entries keep their absolute expiry.
	clock.Advance(30 * time.Second)
	h2 := newHarness(t, cfg, "restart", host, clock)
	md = h2.flush()
	assert.Equal(t, 3.0, mustPoint(t, md, "svc", contract.MetricActiveTokens))
	assert.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricActivePKCEStates))
	assert.Equal(t, 0.0, mustPoint(t, md, "svc", contract.MetricPKCEStatesCreatedTotal), "counters restart from 0")

	b = newSpans("service.name", "svc")
	b.add(clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpPKCEValidate, contract.AttrState, "fp:y")
	require.NoError(t, h2.traces.ConsumeTraces(ctx, b.td))
	clock.Advance(31 * time.Second)
	md = h2.flush()
	assert.Equal(t, 2.0, mustPoint(t, md, "svc", contract.MetricActiveTokens), "the 60 s token expired across the restart")
	assert.Equal(t, 1.0, mustPoint(t, md, "svc", contract.MetricActivePKCEStates), "a restored state is validated by its fingerprint")

	// Without the extension the connector refuses to start.
	cfg2 := defaultConfig()
	missing := component.MustNewIDWithName("file_storage", "missing")
	cfg2.Storage = &missing
	nostore := connectortest.NewNopSettings(metadata.Type)
	nostore.ID = component.MustNewIDWithName(metadata.Type.String(), "nostore")
	c, err := NewFactory().CreateTracesToMetrics(ctx, nostore, cfg2, consumertest.NewNop())
	require.NoError(t, err)
	require.ErrorContains(t, c.Start(ctx, host), "not found")
	require.NoError(t, c.Shutdown(ctx))
}

func TestConcurrentSidesAndFlushes(t *testing.T) {
	h := newHarness(t, defaultConfig(), "concurrent", nil, nil)
	b := newSpans("service.name", "svc")
	for range 50 {
		b.add(h.clock.Now(), time.Millisecond, contract.AttrOperation, contract.OpRefresh)
	}
	ld, lrs := newLogs("service.name", "svc")
	for range 50 {
		lrs.AppendEmpty().Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(3)
		go func() {
			defer wg.Done()
			for range 20 {
				assert.NoError(t, h.traces.ConsumeTraces(ctx, b.td))
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				assert.NoError(t, h.logs.ConsumeLogs(ctx, ld))
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				assert.NoError(t, h.traces.agg.flush(ctx))
			}
		}()
	}
	wg.Wait()
	// Spans: 4*20 batches of 50; logs have no span ids, so all count too.
	assert.Equal(t, 8000.0, mustPoint(t, h.flush(), "svc", contract.MetricTokenRefreshTotal, "status", "success", "reason", "normal"))
}

func TestFlushLoopEmits(t *testing.T) {
	cfg := defaultConfig()
	cfg.FlushInterval = 5 * time.Millisecond
	h := newHarness(t, cfg, "loop", nil, nil)
	require.Eventually(t, func() bool { return len(h.sink.AllMetrics()) >= 2 }, 10*time.Second, 5*time.Millisecond)
	h.shutdown()
	n := len(h.sink.AllMetrics())
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, n, len(h.sink.AllMetrics()), "no flush after shutdown")
}
