package oauthnormalize

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadatatest"
)

// newTestNormalizer builds a normalizer of the default config (changed by
// edit) with its own telemetry, outside the shared registry.
func newTestNormalizer(t testing.TB, edit func(*Config)) (*normalizer, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	if edit != nil {
		edit(cfg)
	}
	require.NoError(t, cfg.Validate())
	tt := componenttest.NewTelemetry()
	n, err := newNormalizer(metadatatest.NewSettings(tt), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { n.tel.shutdown(); _ = tt.Shutdown(context.Background()) })
	return n, tt
}

// kv is a record attribute; values are put with their Go type.
type kv struct {
	k string
	v any
}

func put(m pcommon.Map, attrs []kv) {
	for _, a := range attrs {
		switch v := a.v.(type) {
		case string:
			m.PutStr(a.k, v)
		case int:
			m.PutInt(a.k, int64(v))
		case bool:
			m.PutBool(a.k, v)
		case float64:
			m.PutDouble(a.k, v)
		}
	}
}

// logOf builds a batch of one log record.
func logOf(body string, attrs ...kv) (plog.Logs, plog.LogRecord) {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	if body != "" {
		lr.Body().SetStr(body)
	}
	put(lr.Attributes(), attrs)
	return ld, lr
}

// batch builds spans of one service.
type batch struct {
	td    ptrace.Traces
	spans ptrace.SpanSlice
}

func newBatch(service string) *batch {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if service != "" {
		rs.Resource().Attributes().PutStr("service.name", service)
	}
	return &batch{td: td, spans: rs.ScopeSpans().AppendEmpty().Spans()}
}

var traceSeq byte

// server adds a request root SERVER span of a new trace.
func (b *batch) server(name string, attrs ...kv) ptrace.Span {
	traceSeq++
	s := b.spans.AppendEmpty()
	s.SetName(name)
	s.SetKind(ptrace.SpanKindServer)
	s.SetTraceID(pcommon.TraceID{1, traceSeq})
	s.SetSpanID(pcommon.SpanID{1, traceSeq})
	put(s.Attributes(), attrs)
	return s
}

// child adds an INTERNAL span under parent.
func (b *batch) child(parent ptrace.Span, name string, id byte) ptrace.Span {
	s := b.spans.AppendEmpty()
	s.SetName(name)
	s.SetKind(ptrace.SpanKindInternal)
	s.SetTraceID(parent.TraceID())
	s.SetParentSpanID(parent.SpanID())
	s.SetSpanID(pcommon.SpanID{2, id, traceSeq})
	return s
}

// httpSpan is a SERVER span with current semantic-convention attributes.
func (b *batch) httpSpan(method, path string, status int) ptrace.Span {
	return b.server(method+" "+path, kv{"http.request.method", method}, kv{"url.path", path},
		kv{"http.response.status_code", status})
}

func (n *normalizer) traces(t testing.TB, td ptrace.Traces) {
	t.Helper()
	_, err := n.processTraces(context.Background(), td)
	require.NoError(t, err)
}

func (n *normalizer) logs(t testing.TB, ld plog.Logs) {
	t.Helper()
	_, err := n.processLogs(context.Background(), ld)
	require.NoError(t, err)
}

// attrsOf returns a record's attributes as a Go map, for comparisons.
func attrsOf(m pcommon.Map) map[string]any { return m.AsRaw() }
