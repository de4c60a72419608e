package join

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// extract takes the spans of the given traces only, under copies of their
// resource and scope (one resource per source resource), and removes only
// the scopes and resources it emptied.
func TestExtract(t *testing.T) {
	td := ptrace.NewTraces()
	add := func(rs ptrace.ResourceSpans, scope string, traces ...int) {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(scope)
		ss.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
		for i, n := range traces {
			s := ss.Spans().AppendEmpty()
			s.SetTraceID(traceID(n))
			s.SetSpanID(pcommon.SpanID{byte(i + 1), byte(len(scope))})
		}
	}
	kc := td.ResourceSpans().AppendEmpty()
	kc.Resource().Attributes().PutStr("service.name", "kc")
	add(kc, "vertx", 1, 2)
	add(kc, "keycloak", 1)
	add(kc, "empty")
	db := td.ResourceSpans().AppendEmpty()
	db.Resource().Attributes().PutStr("service.name", "db")
	add(db, "jdbc", 1)

	parts := extract(td, traceSet{traceID(1): {}})
	require.Len(t, parts, 1)
	p := parts[0].td
	assert.Equal(t, 3, p.SpanCount())
	require.Equal(t, 2, p.ResourceSpans().Len())
	first := p.ResourceSpans().At(0)
	v, _ := first.Resource().Attributes().Get("service.name")
	assert.Equal(t, "kc", v.Str())
	require.Equal(t, 2, first.ScopeSpans().Len())
	assert.Equal(t, "vertx", first.ScopeSpans().At(0).Scope().Name())
	assert.Equal(t, "https://opentelemetry.io/schemas/1.26.0", first.ScopeSpans().At(0).SchemaUrl())
	assert.Equal(t, "keycloak", first.ScopeSpans().At(1).Scope().Name())

	// Left: trace 2 in vertx, and the scope that was empty to begin with.
	require.Equal(t, 1, td.ResourceSpans().Len())
	left := td.ResourceSpans().At(0).ScopeSpans()
	require.Equal(t, 2, left.Len())
	assert.Equal(t, "vertx", left.At(0).Scope().Name())
	assert.Equal(t, traceID(2), left.At(0).Spans().At(0).TraceID())
	assert.Equal(t, "empty", left.At(1).Scope().Name())
}
