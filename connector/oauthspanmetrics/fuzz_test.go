package oauthspanmetrics

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// FuzzConsume feeds records with arbitrary attribute values and types through
// both sides, flushes, and round-trips the persisted state. Bad input must
// never panic, and the gauges never go negative.
func FuzzConsume(f *testing.F) {
	f.Add("refresh", "success", "normal", "github", "fp:s", "3600", 0.5, int64(1), uint8(2), uint8(1), uint64(1), uint64(2), "token_reuse", uint8(0))
	f.Add("callback", "", "", "", "fp:s", "-1", math.NaN(), int64(-5), uint8(9), uint8(7), uint64(5), uint64(1), "", uint8(1))
	f.Add("pkce.cleanup", "failure", "expired", "x", "", "1e308", math.Inf(1), int64(math.MaxInt64), uint8(3), uint8(2), uint64(math.MaxUint64), uint64(0), "integrity_violation", uint8(2))
	f.Add("authorize", "initiated", "invalid_client", "p", "fp:t", "NaN", -1.0, int64(0), uint8(1), uint8(0), uint64(0), uint64(math.MaxUint64), "code_injection", uint8(3))
	f.Fuzz(func(t *testing.T, op, status, reason, provider, state, expires string, dur float64, cleaned int64,
		kind, code uint8, start, end uint64, finding string, shape uint8,
	) {
		cfg := defaultConfig()
		cfg.Exemplars = shape&1 == 1
		clock := newFakeClock()
		st := newState(cfg, clock.Now)

		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", provider)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetKind(ptrace.SpanKind(kind))
		sp.Status().SetCode(ptrace.StatusCode(code))
		sp.SetStartTimestamp(pcommon.Timestamp(start))
		sp.SetEndTimestamp(pcommon.Timestamp(end))
		sp.SetTraceID(pcommon.TraceID{byte(start), 1})
		sp.SetSpanID(pcommon.SpanID{byte(end), 1})
		fill(sp.Attributes(), op, status, reason, provider, state, expires, dur, cleaned, finding, shape)

		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		fill(rl.Resource().Attributes(), op, status, reason, provider, state, expires, dur, cleaned, finding, shape>>2)
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.Timestamp(start))
		lr.SetTraceID(sp.TraceID())
		lr.SetSpanID(sp.SpanID())
		fill(lr.Attributes(), op, status, reason, provider, state, expires, dur, cleaned, finding, shape>>1)

		for range 2 {
			st.consumeTraces(td)
			st.consumeLogs(ld)
			clock.Advance(time.Duration(cleaned&0xffff) * time.Second)
			st.expire(clock.Now().UnixNano())
			st.build(1, 2)
		}
		require.GreaterOrEqual(t, st.tokens, 0)
		require.GreaterOrEqual(t, st.pkce, 0)
		data, err := st.marshal()
		require.NoError(t, err)
		st2 := newState(cfg, clock.Now)
		require.NoError(t, st2.restore(data))
		require.Equal(t, st.tokens, st2.tokens)
		require.Equal(t, st.pkce, st2.pkce)
		_ = newState(cfg, clock.Now).restore([]byte(op + reason)) // garbage must not panic
	})
}

// fill sets the contract attributes, with types chosen by shape.
func fill(m pcommon.Map, op, status, reason, provider, state, expires string, dur float64, cleaned int64, finding string, shape uint8) {
	m.PutStr(contract.AttrOperation, op)
	m.PutStr(contract.AttrStatus, status)
	m.PutStr(contract.AttrReason, reason)
	m.PutStr(contract.AttrState, state)
	switch shape % 4 {
	case 0:
		m.PutStr(contract.AttrProvider, provider)
		m.PutStr(contract.AttrTokenExpiresIn, expires)
		m.PutDouble(contract.AttrDuration, dur)
		m.PutInt(contract.AttrPKCECleanedCount, cleaned)
		s := m.PutEmptySlice(contract.AttrSecurityFindings)
		s.AppendEmpty().SetStr(finding)
		s.AppendEmpty().SetInt(cleaned)
	case 1:
		m.PutInt(contract.AttrProvider, cleaned)
		m.PutDouble(contract.AttrTokenExpiresIn, dur)
		m.PutStr(contract.AttrDuration, expires)
		m.PutDouble(contract.AttrPKCECleanedCount, dur)
		m.PutStr(contract.AttrSecurityFindings, finding)
	case 2:
		m.PutEmptyMap(contract.AttrProvider).PutStr("a", provider)
		m.PutInt(contract.AttrTokenExpiresIn, cleaned)
		m.PutEmptyBytes(contract.AttrDuration).FromRaw([]byte(expires))
		m.PutStr(contract.AttrPKCECleanedCount, expires)
		m.PutEmptyMap(contract.AttrSecurityFindings).PutStr(finding, finding)
	case 3:
		m.PutBool(contract.AttrSide, dur > 0)
		m.PutStr(contract.AttrIntegrityViolation, reason)
		m.PutStr(contract.AttrFindingSource, finding)
	}
}
