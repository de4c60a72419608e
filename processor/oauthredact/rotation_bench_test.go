package oauthredact

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/keyhost"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
)

// BenchmarkRedactBatchKeys: BenchmarkRedactBatch's batches with the key
// from the extension, without and with one previous key (a rotation adds
// the previous-key fingerprints of each record's correlated secrets).
// Compare with: benchstat -col /previous.
func BenchmarkRedactBatchKeys(b *testing.B) {
	const spans = 100
	tmpl, _ := oauthBatch(1, spans)
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		previous []string
	}{{"0", nil}, {"1", []string{oldKey}}} {
		b.Run("previous="+c.name, func(b *testing.B) {
			cfg := testConfig()
			cfg.FingerprintKey, cfg.Fingerprint = "", &keyhost.ID
			p, err := NewFactory().CreateTraces(ctx, testSettings(), cfg, consumertest.NewNop())
			require.NoError(b, err)
			require.NoError(b, p.Start(ctx, keyhost.New(b, testkey.Key, c.previous, nil)))
			defer func() { require.NoError(b, p.Shutdown(ctx)) }()
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
