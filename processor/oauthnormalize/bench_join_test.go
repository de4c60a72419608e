package oauthnormalize

import (
	"context"
	"syscall"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// keycloakTraffic is ordinary traffic (benchSpans spans) with the Keycloak
// story in the same batch, every 26.3 request's event span with its root:
// the common case of the join, claimed traces whose root is in the batch.
func keycloakTraffic(b *testing.B) ptrace.Traces {
	td := ordinaryTraffic()
	s := loadStory(b)
	kc, sp := newKeycloakBatch(s)
	for i := range s.Requests {
		build(&s.Requests[i], i, sp, sp)
	}
	kc.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	return td
}

// BenchmarkClaimedRootInBatch compares, in one run, the mapping as it was
// before the join (the normalizer alone) with the traces processor with
// the join on, on a batch whose claimed traces have their roots in it. The
// batch is mapped again at each iteration (the roots keep what the first
// wrote; every lookup is made again). Besides wall time it reports the
// process's CPU time per batch (cpu-ns/op), steadier on a shared machine.
func BenchmarkClaimedRootInBatch(b *testing.B) {
	run := func(b *testing.B, consume func(ptrace.Traces)) {
		td := keycloakTraffic(b)
		spans := td.SpanCount()
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := cpuTime()
		for range b.N {
			consume(td)
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
	}
	b.Run("before_join", func(b *testing.B) {
		n, _ := newTestNormalizer(b, nil)
		run(b, func(td ptrace.Traces) { n.traces(b, td) })
	})
	b.Run("join", func(b *testing.B) {
		p, _, _ := newTestProcessor(b, consumertest.NewNop(), nil)
		run(b, func(td ptrace.Traces) { _ = p.ConsumeTraces(context.Background(), td) })
	})
}

// cpuTime is the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkUnclaimedSpansJoin is BenchmarkUnclaimedSpans through the
// traces processor with the join on: nothing claimed, nothing held.
func BenchmarkUnclaimedSpansJoin(b *testing.B) {
	p, _, _ := newTestProcessor(b, consumertest.NewNop(), func(c *Config) { c.Vocabularies.GenericHTTP.AuthorizationServers = []string{"idp"} })
	td := ordinaryTraffic()
	spans := td.SpanCount()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = p.ConsumeTraces(context.Background(), td)
	}
	b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
}
