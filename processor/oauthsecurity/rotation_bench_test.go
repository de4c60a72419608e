package oauthsecurity

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// BenchmarkRefreshSpansRotation: BenchmarkRefreshSpans1M's traffic (fresh
// tokens against a full state) without and with one previous-key
// fingerprint on every span, as during a key rotation: each miss under the
// current key then probes the previous one, and the attribute is removed.
// Compare with: benchstat -col /previous.
func BenchmarkRefreshSpansRotation(b *testing.B) {
	for _, prev := range []bool{false, true} {
		name := "0"
		if prev {
			name = "1"
		}
		b.Run("previous="+name, func(b *testing.B) {
			d := benchDetector(b)
			const batch = 1000
			td := ptrace.NewTraces()
			spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
			for i := range batch {
				sp := spans.AppendEmpty()
				sp.SetKind(ptrace.SpanKindServer)
				sp.SetTraceID(pcommon.TraceID{byte(i), byte(i >> 8), 1})
				sp.SetSpanID(pcommon.SpanID{byte(i), 1})
				sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0))
				sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
				sp.Attributes().PutStr("url.path", "/token")
			}
			n := uint64(0)
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += batch {
				b.StopTimer()
				for i := range batch {
					n++
					a := spans.At(i).Attributes()
					a.PutStr(contract.AttrRefreshToken, syntheticFP(n))
					if prev {
						contract.PutPreviousFingerprints(a, contract.AttrRefreshToken, []string{syntheticFP(n + 1<<50)})
					}
				}
				b.StartTimer()
				if _, err := d.processTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if el := b.Elapsed().Seconds(); el > 0 {
				b.ReportMetric(float64(b.N)/el, "spans/s")
			}
		})
	}
}
