package oauthsecurity

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

// detector holds the detection state of one configured oauth_security
// component; its traces and logs pipelines share it, so a token rotated in a
// span and replayed in a log is still one history.
type detector struct {
	cfg    *Config
	id     component.ID
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder
	now    func() time.Time

	mu      sync.Mutex
	st      *store
	issuers map[issuerKey]string
	fp      *contract.Fingerprinter
	graceMs int64
	dirty   bool
	findBuf []finding
	pending []pending
	size    atomic.Int64

	// lifecycle and persistence (persist.go)
	refs    int
	started int
	persist *persister
}

// pending is a record with findings, annotated once the whole batch has been
// inspected (detected findings claim their incident before reported ones).
type pending struct {
	attrs   pcommon.Map
	span    ptrace.Span
	isSpan  bool
	traceID pcommon.TraceID
	ts      pcommon.Timestamp
	// findBuf[from:mid] are detected, findBuf[mid:to] reported.
	from, mid, to int
}

func newDetector(cfg *Config, set processor.Settings) (*detector, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	d := &detector{
		cfg:     cfg,
		id:      set.ID,
		logger:  set.Logger,
		tb:      tb,
		now:     time.Now,
		issuers: map[issuerKey]string{},
		fp:      contract.NewFingerprinter(string(cfg.FingerprintKey)),
		graceMs: cfg.ReuseGracePeriod.Milliseconds(),
	}
	var ttl [numKinds]int64
	ttl[kindRefresh] = cfg.RefreshTokenTTL.Milliseconds()
	ttl[kindCode] = cfg.CodeTTL.Milliseconds()
	ttl[kindVerifier] = cfg.CodeTTL.Milliseconds()
	ttl[kindTracePKCEFail] = cfg.CodeTTL.Milliseconds()
	ttl[kindTraceRedeemed] = cfg.CodeTTL.Milliseconds()
	ttl[kindState] = cfg.StateTTL.Milliseconds()
	ttl[kindIncident] = max(cfg.CodeTTL, cfg.StateTTL).Milliseconds()
	d.st = newStore(cfg.MaxEntries, ttl)
	err = tb.RegisterOauthSecurityStateEntriesCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(d.size.Load())
		return nil
	})
	return d, err
}

// maxRecordSkewMs bounds how far a record's own time may be from the
// processing clock (replayed logs, broken clocks): it is clamped to that
// range, and an unset time is the processing time.
const maxRecordSkewMs = int64(time.Hour / time.Millisecond)

func timeMs(ts pcommon.Timestamp, nowMs int64) int64 {
	if ts == 0 {
		return nowMs
	}
	return min(max(int64(ts)/int64(time.Millisecond), nowMs-maxRecordSkewMs), nowMs+maxRecordSkewMs)
}

// begin starts inspecting one batch: it takes d.mu (released by finish) and
// returns the processing time and the eviction count so far.
func (d *detector) begin() (nowMs, evicted int64) {
	d.mu.Lock()
	d.pending, d.findBuf = d.pending[:0], d.findBuf[:0]
	return d.now().UnixMilli(), d.st.evictions
}

// finish annotates the batch's findings, releases d.mu and records the
// self-telemetry.
func (d *detector) finish(ctx context.Context, nowMs, evictedBefore int64) {
	found := d.resolve(nowMs)
	evicted := d.st.evictions - evictedBefore
	d.size.Store(int64(d.st.Len()))
	d.mu.Unlock()
	d.record(ctx, found, evicted)
}

func (d *detector) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	nowMs, evicted := d.begin()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		res := rs.Resource().Attributes()
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				ts := sp.EndTimestamp()
				if ts == 0 {
					ts = sp.StartTimestamp()
				}
				r := record{
					attrs: sp.Attributes(), res: res, spanKind: sp.Kind(), statusCode: sp.Status().Code(),
					traceID: sp.TraceID(), spanID: sp.SpanID(), timeMs: timeMs(ts, nowMs),
				}
				if ts == 0 {
					ts = pcommon.Timestamp(nowMs * int64(time.Millisecond))
				}
				d.inspectOne(&r, nowMs, sp, true, ts)
			}
		}
	}
	d.finish(ctx, nowMs, evicted)
	return td, nil
}

func (d *detector) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	nowMs, evicted := d.begin()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource().Attributes()
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				ts := lr.Timestamp()
				if ts == 0 {
					ts = lr.ObservedTimestamp()
				}
				r := record{
					attrs: lr.Attributes(), res: res, spanKind: ptrace.SpanKindUnspecified,
					traceID: lr.TraceID(), spanID: lr.SpanID(), timeMs: timeMs(ts, nowMs),
				}
				d.inspectOne(&r, nowMs, ptrace.Span{}, false, ts)
			}
		}
	}
	d.finish(ctx, nowMs, evicted)
	return ld, nil
}

func (d *detector) inspectOne(r *record, nowMs int64, sp ptrace.Span, isSpan bool, ts pcommon.Timestamp) {
	from := len(d.findBuf)
	det, rep, rewrite := d.inspect(r, nowMs, d.findBuf, nil)
	if rewrite {
		r.attrs.PutStr(contract.AttrStatus, contract.StatusReuseDetected)
		r.attrs.PutStr(contract.AttrReason, contract.ReasonReuseDetected)
	}
	if len(det) == from && len(rep) == 0 {
		d.findBuf = det
		return
	}
	mid := len(det)
	det = append(det, rep...)
	d.findBuf = det
	d.pending = append(d.pending, pending{
		attrs: r.attrs, span: sp, isSpan: isSpan, traceID: r.traceID, ts: ts,
		from: from, mid: mid, to: len(det),
	})
}

// resolve makes a finding on a trace one incident per event type: detected
// findings claim first, so a reported one on the same trace is dropped; then
// it annotates. It returns the findings annotated.
func (d *detector) resolve(nowMs int64) []finding {
	if len(d.pending) == 0 {
		return nil
	}
	claim := func(p *pending, f *finding) bool {
		if p.traceID.IsEmpty() {
			return true
		}
		tb := [16]byte(p.traceID)
		key := makeKey(&tb, kindIncident, uint8(f.rank))
		if _, ok := d.st.get(key, nowMs); ok {
			return false
		}
		d.st.put(key, packVal(nowMs, 0, kindIncident, false))
		return true
	}
	keep := make([]bool, len(d.findBuf))
	for pass := 0; pass < 2; pass++ {
		for i := range d.pending {
			p := &d.pending[i]
			lo, hi := p.from, p.mid
			if pass == 1 {
				lo, hi = p.mid, p.to
			}
			for j := lo; j < hi; j++ {
				keep[j] = claim(p, &d.findBuf[j])
			}
		}
	}
	var out []finding
	for i := range d.pending {
		p := &d.pending[i]
		fs := make([]finding, 0, p.to-p.from)
		for j := p.from; j < p.to; j++ {
			if keep[j] {
				fs = append(fs, d.findBuf[j])
			}
		}
		if len(fs) == 0 {
			continue
		}
		fs = annotate(p, fs)
		out = append(out, fs...)
	}
	// Do not keep the batch reachable until the next one.
	clear(d.pending)
	return out
}

// annotate writes the contract's finding attributes (section 5) and, on
// spans, one span event per new finding. It merges with findings already on
// the record and returns the new ones.
func annotate(p *pending, fs []finding) []finding {
	attrs := p.attrs
	var types []string
	if v, ok := attrs.Get(contract.AttrSecurityFindings); ok && v.Type() == pcommon.ValueTypeSlice {
		for i := 0; i < v.Slice().Len(); i++ {
			types = append(types, v.Slice().At(i).AsString())
		}
	}
	existing := len(types)
	var added []finding
	var best *finding
	for i := range fs {
		f := &fs[i]
		dup := false
		for _, t := range types {
			if t == f.eventType {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		types = append(types, f.eventType)
		added = append(added, *f)
		if best == nil || f.rank < best.rank {
			best = f
		}
	}
	if len(added) == 0 {
		return nil
	}
	for _, f := range added {
		if _, ok := attrs.Get(contract.AttrIntegrityViolation); !ok && f.violation != "" {
			attrs.PutStr(contract.AttrIntegrityViolation, f.violation)
		}
	}
	sl := attrs.PutEmptySlice(contract.AttrSecurityFindings)
	sl.EnsureCapacity(len(types))
	for _, t := range types {
		sl.AppendEmpty().SetStr(t)
	}
	top, _ := contract.MostSevere(types)
	attrs.PutStr(contract.AttrSecurityEventType, top.EventType)
	attrs.PutStr(contract.AttrSecuritySeverity, top.Severity)
	if top.EventType == best.eventType || existing == 0 {
		attrs.PutStr(contract.AttrSecurityRuleName, best.rule)
	}
	if p.isSpan {
		for _, f := range added {
			row, _ := contract.LookupFinding(f.eventType)
			ev := p.span.Events().AppendEmpty()
			ev.SetName(row.EventName)
			ev.SetTimestamp(p.ts)
			ea := ev.Attributes()
			ea.PutStr(contract.AttrSecurityEventType, row.EventType)
			ea.PutStr(contract.AttrSecuritySeverity, row.Severity)
			ea.PutStr(contract.AttrSecurityRuleName, f.rule)
			ea.PutStr(contract.AttrFindingSource, f.source)
		}
	}
	return added
}

func (d *detector) record(ctx context.Context, found []finding, evicted int64) {
	for _, f := range found {
		d.tb.OauthSecurityFindings.Add(ctx, 1, metric.WithAttributes(
			attribute.String("event_type", f.eventType), attribute.String("source", f.source)))
		d.logger.Info("OAuth security finding",
			zap.String("event_type", f.eventType), zap.String("source", f.source), zap.String("rule", f.rule))
	}
	if evicted > 0 {
		d.tb.OauthSecurityEvictions.Add(ctx, evicted)
	}
}
