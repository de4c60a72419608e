package oauthredact

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/metadata"
)

type signal uint8

const (
	sigTraces signal = iota
	sigLogs
	sigMetrics
	numSignals
)

var signalNames = [numSignals]string{"traces", "logs", "metrics"}

type position uint8

const (
	posResource position = iota
	posScope
	posSpanName
	posSpanAttrs
	posSpanStatus
	posEventName
	posEventAttrs
	posLinkAttrs
	posLogAttrs
	posLogBody
	posLogEventName
	posDataPointAttrs
	posExemplarAttrs
	numPositions
)

var positionNames = [numPositions]string{
	"resource.attributes", "scope.attributes",
	"span.name", "span.attributes", "span.status.message",
	"span.event.name", "span.event.attributes", "span.link.attributes",
	"log.attributes", "log.body", "log.event_name",
	"datapoint.attributes", "exemplar.attributes",
}

// redactor is the processor. It is safe for concurrent use: the per-batch
// state lives in a pooled scanner.
type redactor struct {
	cfg     *Config
	set     processor.Settings
	claimed bool
	rules   *rules
	summary bool
	tb      *metadata.TelemetryBuilder
	attrs   [numSignals][numPositions]metric.AddOption
	pool    sync.Pool
}

func newRedactor(cfg *Config, set processor.Settings) (*redactor, error) {
	r := &redactor{cfg: cfg, set: set, rules: newRules(cfg), summary: cfg.Summary}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r.tb = tb
	for s := range numSignals {
		for p := range numPositions {
			r.attrs[s][p] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("signal", signalNames[s]),
				attribute.String("position", positionNames[p]),
			))
		}
	}
	r.pool.New = func() any {
		sc := &scanner{
			cur:      -1,
			rules:    r.rules,
			keyCache: map[string]keyKind{},
		}
		sc.finds.Mask = r.rules.mask
		if r.rules.action == ActionFingerprint {
			sc.fp = contract.NewFingerprinter(r.rules.key)
			for _, k := range r.rules.previous {
				sc.prev = append(sc.prev, contract.NewFingerprinter(k))
			}
		}
		return sc
	}
	return r, nil
}

// start takes the keys from the key source (the oauth_fingerprint
// extension, or the deprecated fingerprint_key) before the first batch, and
// fails when another component of this collector uses another key.
func (r *redactor) start(_ context.Context, host component.Host) error {
	if r.rules.action != ActionFingerprint {
		return nil
	}
	keys, err := keysource.Resolve(host, r.cfg.Fingerprint, r.cfg.FingerprintKey, r.set.ID, r.set.Logger)
	if err != nil {
		return err
	}
	if err := keysource.Claim(r.set.ID, keys); err != nil {
		return err
	}
	r.claimed = true
	r.rules.key, r.rules.previous = keys.Current, keys.Previous
	return nil
}

func (r *redactor) shutdown(context.Context) error {
	if r.claimed {
		keysource.Release(r.set.ID)
		r.claimed = false
	}
	r.tb.Shutdown()
	return nil
}

func (r *redactor) get() *scanner {
	return r.pool.Get().(*scanner)
}

// put records the counts and returns the scanner to the pool, forgetting
// every secret of the batch.
func (r *redactor) put(ctx context.Context, sc *scanner, sig signal) {
	for p, n := range sc.counts {
		if n > 0 {
			r.tb.ProcessorOauthRedactRedactions.Add(ctx, n, r.attrs[sig][p])
		}
	}
	sc.counts = [numPositions]int64{}
	sc.known.reset()
	clear(sc.knownList)
	sc.knownList = sc.knownList[:0]
	sc.minKnown = 0
	sc.echoing = false
	sc.echo.Forget()
	sc.forgetRecords()
	clear(sc.finds.Items[:cap(sc.finds.Items)])
	clear(sc.out[:cap(sc.out)])
	clear(sc.finds.Scratch[:cap(sc.finds.Scratch)])
	r.pool.Put(sc)
}

// str redacts one string; ok reports a change.
func (sc *scanner) str(s string, kind keyKind) (string, bool) {
	if sc.echoing {
		sc.scanKnown(s)
	} else {
		sc.scanValue(s, kind)
	}
	out, n := sc.apply(s)
	if !sc.echoing {
		sc.candidate(out)
	}
	if n == 0 {
		return s, false
	}
	sc.n += n
	sc.counts[sc.pos] += int64(n)
	return out, true
}

// value redacts v in place; remove reports that the caller should delete
// it (action remove, value under a secret key).
func (sc *scanner) value(v pcommon.Value, kind keyKind) (remove bool) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		out, ok := sc.str(v.Str(), kind)
		if !ok {
			return false
		}
		if kind != kindText && kind != kindAllow && sc.rules.action == ActionRemove && !sc.echoing {
			return true
		}
		v.SetStr(out)
	case pcommon.ValueTypeBytes:
		// searched as text, and kept a byte array
		out, ok := sc.str(string(v.Bytes().AsRaw()), kind)
		if !ok {
			return false
		}
		if kind != kindText && kind != kindAllow && sc.rules.action == ActionRemove && !sc.echoing {
			return true
		}
		v.SetEmptyBytes().FromRaw([]byte(out))
	case pcommon.ValueTypeMap:
		sc.walkMap(v.Map(), kind)
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			if sc.value(sl.At(i), kind) {
				remove = true
			}
		}
		return remove
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		if kind != kindSecret || sc.echoing {
			return false
		}
		out, ok := sc.str(v.AsString(), kind)
		if !ok {
			return false
		}
		if sc.rules.action == ActionRemove {
			return true
		}
		v.SetStr(out)
	}
	return false
}

// walkMap redacts every entry of m. Under a secret key every nested value
// is secret; otherwise each key is classified. Under an allowed key only
// secret and header keys count; under a header key an ordinary key holds
// that header's value (a cookie map's values are the cookies' values).
func (sc *scanner) walkMap(m pcommon.Map, parent keyKind) {
	mark := len(sc.removes)
	for k, v := range m.All() {
		kind := parent
		if !sc.echoing && parent != kindSecret {
			kind = sc.classify(k)
			if kind == kindText {
				switch parent {
				case kindAllow, kindAuth:
					kind = parent
				case kindCookie, kindSetCookie:
					kind = kindSecret
				}
			}
		}
		if sc.value(v, kind) {
			sc.removes = append(sc.removes, k)
		}
	}
	for _, k := range sc.removes[mark:] {
		m.Remove(k)
	}
	clear(sc.removes[mark:])
	sc.removes = sc.removes[:mark]
}

// attrsRecord walks the attributes of a resource or scope as a record of
// their own.
func (sc *scanner) attrsRecord(m pcommon.Map, pos position) {
	if m.Len() == 0 {
		return
	}
	sc.enter(echoRecord{attrs: m, pos: pos, kind: recAttrs})
	sc.attrs(m, pos)
	sc.leave()
}

func (sc *scanner) attrs(m pcommon.Map, pos position) {
	if m.Len() == 0 {
		return
	}
	sc.pos = pos
	sc.walkMap(m, kindText)
}

// summarize adds the record's count to oauth.redact.count.
func (r *redactor) summarize(sc *scanner, m pcommon.Map) {
	if !r.summary || sc.n == 0 {
		return
	}
	if v, ok := m.Get(contract.AttrRedactCount); ok && v.Type() == pcommon.ValueTypeInt {
		v.SetInt(v.Int() + int64(sc.n))
		return
	}
	m.PutInt(contract.AttrRedactCount, int64(sc.n))
}

// process walks a batch, then, when secrets were found by name, walks it
// again to replace their echoes everywhere in it.
func (r *redactor) process(ctx context.Context, sig signal, walk func(*scanner)) {
	sc := r.get()
	walk(sc)
	if len(sc.knownList) > 0 {
		sc.echoing = true
		sc.echo.Build(sc.knownList, sc.minKnown)
		if sc.walkAll {
			walk(sc)
		} else {
			r.echoRecords(sc)
		}
	}
	r.put(ctx, sc, sig)
}

func (r *redactor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	r.process(ctx, sigTraces, func(sc *scanner) { r.traces(sc, td) })
	return td, nil
}

func (r *redactor) traces(sc *scanner, td ptrace.Traces) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sc.attrsRecord(rs.Resource().Attributes(), posResource)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			sc.attrsRecord(ss.Scope().Attributes(), posScope)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				sc.enter(echoRecord{span: sp, kind: recSpan})
				r.span(sc, sp)
				sc.leave()
			}
		}
	}
}

func (r *redactor) span(sc *scanner, span ptrace.Span) {
	sc.n = 0
	sc.previous(span.Attributes())
	sc.pos = posSpanName
	if s, ok := sc.str(span.Name(), kindText); ok {
		span.SetName(s)
	}
	sc.attrs(span.Attributes(), posSpanAttrs)
	if msg := span.Status().Message(); msg != "" {
		sc.pos = posSpanStatus
		if s, ok := sc.str(msg, kindText); ok {
			span.Status().SetMessage(s)
		}
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		sc.pos = posEventName
		if s, ok := sc.str(ev.Name(), kindText); ok {
			ev.SetName(s)
		}
		sc.attrs(ev.Attributes(), posEventAttrs)
	}
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		sc.attrs(links.At(i).Attributes(), posLinkAttrs)
	}
	r.summarize(sc, span.Attributes())
}

func (r *redactor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	r.process(ctx, sigLogs, func(sc *scanner) { r.logs(sc, ld) })
	return ld, nil
}

func (r *redactor) logs(sc *scanner, ld plog.Logs) {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sc.attrsRecord(rl.Resource().Attributes(), posResource)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			sc.attrsRecord(sl.Scope().Attributes(), posScope)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				sc.enter(echoRecord{log: lr, kind: recLog})
				r.logRecord(sc, lr)
				sc.leave()
			}
		}
	}
}

func (r *redactor) logRecord(sc *scanner, lr plog.LogRecord) {
	sc.n = 0
	sc.previous(lr.Attributes())
	sc.attrs(lr.Attributes(), posLogAttrs)
	sc.pos = posLogBody
	sc.value(lr.Body(), kindText)
	if name := lr.EventName(); name != "" {
		sc.pos = posLogEventName
		if s, ok := sc.str(name, kindText); ok {
			lr.SetEventName(s)
		}
	}
	r.summarize(sc, lr.Attributes())
}

func (r *redactor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	r.process(ctx, sigMetrics, func(sc *scanner) { r.metrics(sc, md) })
	return md, nil
}

func (r *redactor) metrics(sc *scanner, md pmetric.Metrics) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		sc.attrs(rm.Resource().Attributes(), posResource)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			sc.attrs(sm.Scope().Attributes(), posScope)
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				metricDataPoints(sc, ms.At(k))
			}
		}
	}
}

// metricDataPoints redacts data-point and exemplar attributes of every
// metric type. No summary attribute is added: it would split the series.
func metricDataPoints(sc *scanner, m pmetric.Metric) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		numberPoints(sc, m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		numberPoints(sc, m.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			sc.attrs(dps.At(i).Attributes(), posDataPointAttrs)
			exemplars(sc, dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			sc.attrs(dps.At(i).Attributes(), posDataPointAttrs)
			exemplars(sc, dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			sc.attrs(dps.At(i).Attributes(), posDataPointAttrs)
		}
	case pmetric.MetricTypeEmpty:
	}
}

func numberPoints(sc *scanner, dps pmetric.NumberDataPointSlice) {
	for i := 0; i < dps.Len(); i++ {
		sc.attrs(dps.At(i).Attributes(), posDataPointAttrs)
		exemplars(sc, dps.At(i).Exemplars())
	}
}

func exemplars(sc *scanner, es pmetric.ExemplarSlice) {
	for i := 0; i < es.Len(); i++ {
		sc.attrs(es.At(i).FilteredAttributes(), posExemplarAttrs)
	}
}
