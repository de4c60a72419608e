package oauthnormalize

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// vocabularyRuns are the configurations compared in one run: the default
// (Hydra's vocabulary maps Hydra's requests), and Hydra's vocabulary off
// (generic HTTP maps what it can of the same spans).
var vocabularyRuns = []struct {
	name string
	edit func(*Config)
}{
	{"hydra", nil},
	{"generic_http", func(c *Config) { c.Vocabularies.Hydra.Enabled = false }},
}

// BenchmarkHydraMapping maps every span of the capture (a real Hydra's
// run: 9 authorization visits, token, refresh, revoke, introspect,
// register, discovery requests with all their children) in one batch,
// by each configuration of vocabularyRuns; ns/span compares them.
func BenchmarkHydraMapping(b *testing.B) {
	tmpl := mergeBatches(loadHydraCapture(b))
	spans := tmpl.SpanCount()
	for _, run := range vocabularyRuns {
		b.Run(run.name, func(b *testing.B) {
			n, _ := newTestNormalizer(b, run.edit)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				td := ptrace.NewTraces()
				tmpl.CopyTo(td)
				b.StartTimer()
				n.traces(b, td)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans), "ns/span")
		})
	}
}

// BenchmarkHydraOnUnclaimedSpans: what Hydra's vocabulary costs on spans
// no vocabulary claims (ordinaryTraffic), on and off in the same run.
func BenchmarkHydraOnUnclaimedSpans(b *testing.B) {
	td := ordinaryTraffic()
	spans := td.SpanCount()
	for _, run := range vocabularyRuns {
		b.Run(run.name, func(b *testing.B) {
			n, _ := newTestNormalizer(b, run.edit)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				n.traces(b, td)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans), "ns/span")
		})
	}
}
