package oauthsecurity

import (
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/redisstate"
)

// Run: go test -run '^$' -bench SharedState -cpu 1 -benchtime 3s ./processor/oauthsecurity/
// (needs redis-server: make tools-redis).

// timedBackend counts and times the round trips of a shared backend.
type timedBackend struct {
	sharedBackend
	trips int
	durs  []time.Duration
}

func (t *timedBackend) FirstUse(ctx context.Context, ops []redisstate.Op, prev []uint64) error {
	start := time.Now()
	err := t.sharedBackend.FirstUse(ctx, ops, prev)
	t.durs = append(t.durs, time.Since(start))
	t.trips++
	return err
}

// BenchmarkSharedState1M: the refresh-span workload of
// BenchmarkRefreshSpans1M (batches of 1000, one million live families)
// on the in-memory store alone, then with the shared state on a real Redis
// on loopback holding one million families too, in the same run. Reported:
// spans/s, round trips per batch and the p99 latency the round trip adds to
// a batch.
func BenchmarkSharedState1M(b *testing.B) {
	b.Run("memory", func(b *testing.B) { runRefreshSpans(b, benchDetector(b)) })
	b.Run("redis", func(b *testing.B) {
		r := testutil.StartRedis(b)
		d := benchDetector(b)
		cfg := redisstate.Default()
		cfg.Endpoint, cfg.KeyPrefix, cfg.Timeout = r.Addr, "bench", 5*time.Second
		c, err := redisstate.New(context.Background(), &cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		fillRedis(b, c)
		tb := &timedBackend{sharedBackend: c}
		d.shared = newSharedState(tb, &cfg)
		r0, err := testutil.ReadProc(r.PID())
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		runRefreshSpans(b, d)
		batches := (b.N + 999) / 1000
		b.StopTimer()
		// Redis's own CPU, which the collector's spans/cpu-s leaves out.
		if r1, err := testutil.ReadProc(r.PID()); err == nil {
			b.ReportMetric(float64((r1.CPU-r0.CPU).Nanoseconds())/float64(b.N), "redis-cpu-ns/span")
		}
		if tb.trips > 0 {
			b.ReportMetric(float64(tb.trips)/float64(batches), "round-trips/batch")
			slices.Sort(tb.durs)
			b.ReportMetric(float64(tb.durs[len(tb.durs)/2].Microseconds()), "p50-added-µs/batch")
			b.ReportMetric(float64(tb.durs[len(tb.durs)*99/100].Microseconds()), "p99-added-µs/batch")
		}
		if d.shared.up.Load() != 1 {
			b.Fatal("a round trip failed during the benchmark")
		}
	})
}

// fillRedis registers one million refresh families, as benchDetector holds.
func fillRedis(b *testing.B, c *redisstate.Client) {
	b.Helper()
	const chunk = 10_000
	ops := make([]redisstate.Op, chunk)
	prev := make([]uint64, chunk)
	nowMs := t0.UnixMilli()
	for base := uint64(0); base < benchEntries; base += chunk {
		for i := range ops {
			n := base + uint64(i)
			var fb [16]byte
			binary.LittleEndian.PutUint64(fb[:8], mix64(n+1<<40))
			binary.LittleEndian.PutUint64(fb[8:], n)
			ops[i] = redisstate.Op{Key: makeKey(&fb, kindRefresh, 2), Val: packVal(nowMs, uint32(n), kindRefresh, false), TTL: time.Hour}
		}
		if err := c.FirstUse(context.Background(), ops, prev); err != nil {
			b.Fatal(err)
		}
	}
}
