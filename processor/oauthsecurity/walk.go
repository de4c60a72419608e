package oauthsecurity

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// processTraces inspects every span of a batch.
func (d *detector) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	d.inspectBatch(ctx, func(nowMs int64) {
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			rs := rss.At(i)
			res := rs.Resource().Attributes()
			sss := rs.ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				spans := sss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					d.inspectSpan(spans.At(k), res, nowMs)
				}
			}
		}
	})
	return td, nil
}

func (d *detector) inspectSpan(sp ptrace.Span, res pcommon.Map, nowMs int64) {
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

// processLogs inspects every log record of a batch.
func (d *detector) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	d.inspectBatch(ctx, func(nowMs int64) {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			rl := rls.At(i)
			res := rl.Resource().Attributes()
			sls := rl.ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					d.inspectLog(lrs.At(k), res, nowMs)
				}
			}
		}
	})
	return ld, nil
}

func (d *detector) inspectLog(lr plog.LogRecord, res pcommon.Map, nowMs int64) {
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
