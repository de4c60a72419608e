package oauthsecurity

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.FingerprintKey = testkey.Key
	return cfg
}

func fp(secret string) string { return contract.NewFingerprinter(testkey.Key).Fingerprint(secret) }

// harness drives one detector with a fake clock.
type harness struct {
	t     *testing.T
	d     *detector
	clock time.Time
}

func newHarness(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	cfg := testConfig()
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	d, err := newDetector(cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	h := &harness{t: t, d: d, clock: t0}
	d.now = func() time.Time { return h.clock }
	return h
}

// rec describes one record to send.
type rec struct {
	trace byte // trace id (0: none)
	span  byte
	kind  ptrace.SpanKind
	at    time.Duration // record time relative to t0
	err   bool          // span status ERROR
	attrs map[string]string
}

func traceID(b byte) pcommon.TraceID {
	if b == 0 {
		return pcommon.TraceID{}
	}
	return pcommon.TraceID{b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, b}
}

func (r rec) fill(m pcommon.Map) {
	for k, v := range r.attrs {
		m.PutStr(k, v)
	}
}

// spans sends records as spans of one batch and returns them.
func (h *harness) spans(recs ...rec) []ptrace.Span {
	h.t.Helper()
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, r := range recs {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(traceID(r.trace))
		sp.SetSpanID(pcommon.SpanID{r.span, 1})
		sp.SetKind(r.kind)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(r.at - 10*time.Millisecond)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(r.at)))
		if r.err {
			sp.Status().SetCode(ptrace.StatusCodeError)
		}
		r.fill(sp.Attributes())
	}
	out, err := h.d.processTraces(context.Background(), td)
	require.NoError(h.t, err)
	var res []ptrace.Span
	for i := 0; i < out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().Len(); i++ {
		res = append(res, out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i))
	}
	return res
}

func (h *harness) span(r rec) ptrace.Span { return h.spans(r)[0] }

// logs sends records as log records of one batch, through the
// oauth_normalize processor first (normalizeLogs).
func (h *harness) logs(recs ...rec) []plog.LogRecord {
	h.t.Helper()
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for _, r := range recs {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTraceID(traceID(r.trace))
		if r.trace != 0 {
			lr.SetSpanID(pcommon.SpanID{r.span, 1})
		}
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(r.at)))
		r.fill(lr.Attributes())
	}
	out, err := h.d.processLogs(context.Background(), normalizeLogs(h.t, ld))
	require.NoError(h.t, err)
	var res []plog.LogRecord
	for i := 0; i < out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().Len(); i++ {
		res = append(res, out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(i))
	}
	return res
}

func (h *harness) log(r rec) plog.LogRecord { return h.logs(r)[0] }

// findings returns oauth.security.findings of a record (nil when none).
func findings(m pcommon.Map) []string {
	v, ok := m.Get(contract.AttrSecurityFindings)
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).Str())
	}
	return out
}

func str(m pcommon.Map, k string) string {
	v, _ := m.Get(k)
	return v.AsString()
}

func refresh(trace byte, token string, extra ...string) rec {
	a := map[string]string{contract.AttrOperation: contract.OpRefresh, contract.AttrRefreshToken: token}
	for i := 0; i+1 < len(extra); i += 2 {
		a[extra[i]] = extra[i+1]
	}
	return rec{trace: trace, span: trace, kind: ptrace.SpanKindServer, attrs: a}
}

func op(trace byte, kind ptrace.SpanKind, operation string, kv ...string) rec {
	a := map[string]string{contract.AttrOperation: operation}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return rec{trace: trace, span: trace, kind: kind, attrs: a}
}

func (r rec) after(d time.Duration) rec { r.at = d; return r }
func (r rec) failed() rec               { r.err = true; return r }

// newStorage returns an in-memory storage extension that counts closes.
func newStorage() *storagetest.Counting { return storagetest.Count(storagetest.New()) }

// stored reads a key the processor wrote to st (under the id startRun gives it).
func stored(t *testing.T, st *storagetest.Counting, key string) []byte {
	t.Helper()
	c, err := st.GetClient(context.Background(), component.KindProcessor, component.NewID(metadata.Type), "")
	require.NoError(t, err)
	v, err := c.Get(context.Background(), key)
	require.NoError(t, err)
	return v
}

// exts are the extensions a test host serves.
type exts = map[component.ID]component.Component

func host(e exts) storagetest.Host { return storagetest.NewHost(e) }

// sharedDetector returns the detector that the running pipelines of cfg share.
func sharedDetector(t *testing.T, cfg *Config) *detector {
	t.Helper()
	d, err := detectors.Acquire(cfg, func() (*detector, error) { return nil, errors.New("no pipeline of this config runs") })
	require.NoError(t, err)
	require.False(t, detectors.Release(cfg))
	return d
}
