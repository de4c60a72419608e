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
func keycloakTraffic(b testing.TB) ptrace.Traces {
	td := ordinaryTraffic()
	s := loadStory(b)
	kc, sp := newKeycloakBatch(s)
	for i := range s.Requests {
		build(&s.Requests[i], i, sp, sp)
	}
	kc.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	return td
}

// benchJoin runs consume on the batch of traffic at each iteration (the
// batch is mapped again: roots keep what the first iteration wrote; every
// lookup is made again), before the join (the normalizer alone, as the
// processor was) and with it, in one run. Besides wall time it reports the
// process's CPU time per batch (cpu-ns/op), steadier on a shared machine.
func benchJoin(b *testing.B, traffic func(testing.TB) ptrace.Traces, edit func(*Config)) {
	run := func(b *testing.B, consume func(ptrace.Traces)) {
		td := traffic(b)
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
		n, _ := newTestNormalizer(b, edit)
		run(b, func(td ptrace.Traces) { n.traces(b, td) })
	})
	b.Run("join", func(b *testing.B) {
		p, _, _ := newTestProcessor(b, consumertest.NewNop(), edit)
		run(b, func(td ptrace.Traces) { _ = p.ConsumeTraces(context.Background(), td) })
	})
}

// BenchmarkClaimedRootInBatch: a batch whose claimed traces (the Keycloak
// story, 26.3 layout) have their roots in it, among ordinary traffic.
func BenchmarkClaimedRootInBatch(b *testing.B) { benchJoin(b, keycloakTraffic, nil) }

// BenchmarkUnclaimedJoin: ordinary traffic (BenchmarkUnclaimedSpans's
// batch); nothing claimed, nothing held.
func BenchmarkUnclaimedJoin(b *testing.B) {
	benchJoin(b, func(testing.TB) ptrace.Traces { return ordinaryTraffic() },
		func(c *Config) { c.Vocabularies.GenericHTTP.AuthorizationServers = []string{"idp"} })
}

// cpuTime is the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkHydraCaptureJoin: the real Hydra capture as one batch, every
// request with its root (Hydra's vocabulary claims nearly every span of
// it, so each one's root is looked up).
func BenchmarkHydraCaptureJoin(b *testing.B) {
	benchJoin(b, func(tb testing.TB) ptrace.Traces { return mergeBatches(loadHydraCapture(tb)) }, nil)
}
