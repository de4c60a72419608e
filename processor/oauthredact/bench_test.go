package oauthredact

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/metadata"
)

type benchImpl struct {
	name    string
	factory processor.Factory
	cfg     component.Config
	set     processor.Settings
}

func benchImpls() []benchImpl {
	return []benchImpl{
		{"ours", NewFactory(), testConfig(), processortest.NewNopSettings(metadata.Type)},
		{"contrib", redactionprocessor.NewFactory(), contribConfig(), contribSettings()},
	}
}

// BenchmarkRedactBatch: OAuth-shaped batches of 100 spans, a third of them
// with secrets (URL code and state, refresh token, bearer JWT, an echo of
// the refresh token in the status message), through each processor as the
// pipeline calls it. Fresh copies are made with the timer stopped.
// Compare with: benchstat -col /impl.
func BenchmarkRedactBatch(b *testing.B) {
	const spans = 100
	tmpl, _ := oauthBatch(1, spans)
	ctx := context.Background()
	for _, impl := range benchImpls() {
		b.Run("impl="+impl.name, func(b *testing.B) {
			p, err := impl.factory.CreateTraces(ctx, impl.set, impl.cfg, consumertest.NewNop())
			require.NoError(b, err)
			const chunk = 64
			batches := make([]ptrace.Traces, chunk)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%chunk == 0 {
					b.StopTimer()
					for j := range batches {
						batches[j] = ptrace.NewTraces()
						tmpl.CopyTo(batches[j])
					}
					b.StartTimer()
				}
				if err := p.ConsumeTraces(ctx, batches[i%chunk]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*spans/b.Elapsed().Seconds(), "spans/s")
		})
	}
}

// BenchmarkRedactCleanSpan: one secret-free span, processed again and again
// (nothing changes, so no copy is needed). Both through the processorhelper
// wrapper (its 5 allocations are the same for both); impl=ours-core calls
// our processing function alone: no allocation.
func BenchmarkRedactCleanSpan(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=ours-core", func(b *testing.B) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "web")
		fillCleanSpan(rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty(), 1)
		r := newTestRedactor(b, testConfig())
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_, _ = r.processTraces(ctx, td)
		}
	})
	for _, impl := range benchImpls() {
		b.Run("impl="+impl.name, func(b *testing.B) {
			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", "web")
			fillCleanSpan(rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty(), 1)
			p, err := impl.factory.CreateTraces(ctx, impl.set, impl.cfg, consumertest.NewNop())
			require.NoError(b, err)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := p.ConsumeTraces(ctx, td); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
