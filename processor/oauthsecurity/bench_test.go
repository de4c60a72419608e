package oauthsecurity

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"runtime"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

// Run: go test -run '^$' -bench . -cpu 1 -benchtime 3s ./processor/oauthsecurity/

const benchEntries = 1_000_000

// syntheticFP is a well-formed fingerprint for n without computing an HMAC.
func syntheticFP(n uint64) string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], mix64(n))
	binary.LittleEndian.PutUint64(b[8:], mix64(n^0xabcdef))
	return contract.FingerprintPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

func benchDetector(b *testing.B) *detector {
	b.Helper()
	cfg := testConfig()
	cfg.MaxEntries = benchEntries
	d, err := newDetector(cfg, processortest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	d.now = func() time.Time { return t0 }
	// Fill the state to max_entries with tracked refresh tokens.
	nowMs := t0.UnixMilli()
	for i := range uint64(benchEntries) {
		var fb [16]byte
		binary.LittleEndian.PutUint64(fb[:8], mix64(i+1<<40))
		binary.LittleEndian.PutUint64(fb[8:], i)
		d.st.put(makeKey(&fb, kindRefresh, 2), packVal(nowMs, uint32(i), kindRefresh, false))
	}
	return d
}

// BenchmarkRefreshSpans1M: every span is a successful server-side refresh
// with a fresh token (typical attributes), against a state already holding
// one million fingerprints: lookup miss, insert and an eviction per span.
func BenchmarkRefreshSpans1M(b *testing.B) { runRefreshSpans(b, benchDetector(b)) }

// runRefreshSpans drives d with batches of 1000 fresh-token refresh spans.
func runRefreshSpans(b *testing.B, d *detector) {
	const batch = 1000
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "auth-server")
	rs.Resource().Attributes().PutStr(contract.AttrClientID, "mcp-client")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range batch {
		sp := spans.AppendEmpty()
		sp.SetName("POST /token")
		sp.SetKind(ptrace.SpanKindServer)
		sp.SetTraceID(pcommon.TraceID{byte(i), byte(i >> 8), 1})
		sp.SetSpanID(pcommon.SpanID{byte(i), 1})
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0))
		a := sp.Attributes()
		a.PutStr("http.request.method", "POST")
		a.PutStr("url.path", "/token")
		a.PutInt("http.response.status_code", 200)
		a.PutStr("server.address", "auth.example.com")
		a.PutStr("user_agent.original", "mcp-client/1.0")
		a.PutStr(contract.AttrOperation, contract.OpRefresh)
		a.PutStr(contract.AttrGrantType, "refresh_token")
		a.PutStr(contract.AttrProvider, "authplane")
		a.PutStr(contract.AttrEnduserID, "user-1")
		a.PutStr(contract.AttrAccessToken, "fp:AAAAAAAAAAAAAAAAAAAAAA")
		a.PutStr(contract.AttrRefreshToken, "")
	}
	n := uint64(0)
	var cpu time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		b.StopTimer()
		for i := range batch {
			n++
			spans.At(i).Attributes().PutStr(contract.AttrRefreshToken, syntheticFP(n))
		}
		c0 := cpuTime()
		b.StartTimer()
		if _, err := d.processTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	b.StopTimer()
	if el := b.Elapsed().Seconds(); el > 0 {
		b.ReportMetric(float64(b.N)/el, "spans/s")
	}
	// CPU time is what a core spends, whatever else shares the machine.
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "spans/cpu-s")
	}
	b.ReportMetric(float64(d.st.Len()), "entries")
}

// BenchmarkScenarioSpans1M replays the labelled scenario's mixed traffic
// (logins, rotations, logs, attacks) against a state holding one million
// fingerprints.
func BenchmarkScenarioSpans1M(b *testing.B) {
	sc := scenario.Generate(scenario.Config{Seed: 1, Users: 2000, Attacks: 240, Key: testkey.Key, Start: t0, GracePeriod: 2 * time.Second})
	batches := sc.Batches(500)
	d := benchDetector(b)
	var now time.Time
	d.now = func() time.Time { return now }
	b.ReportAllocs()
	b.ResetTimer()
	records := 0
	for records < b.N {
		b.StopTimer()
		bs := make([]scenario.Batch, len(batches))
		for i, bt := range batches { // fresh copies: the processor annotates in place
			bs[i] = bt
			if bt.Signal == scenario.Span {
				bs[i].Traces = ptrace.NewTraces()
				bt.Traces.CopyTo(bs[i].Traces)
			} else {
				bs[i].Logs = plog.NewLogs()
				bt.Logs.CopyTo(bs[i].Logs)
				bs[i].Logs = normalizeLogs(b, bs[i].Logs) // as oauth_normalize runs first in every pipeline
			}
		}
		b.StartTimer()
		for _, bt := range bs {
			now = bt.Now
			if bt.Signal == scenario.Span {
				_, _ = d.processTraces(context.Background(), bt.Traces)
				records += bt.Traces.SpanCount()
			} else {
				_, _ = d.processLogs(context.Background(), bt.Logs)
				records += bt.Logs.LogRecordCount()
			}
		}
	}
	b.StopTimer()
	if el := b.Elapsed().Seconds(); el > 0 {
		b.ReportMetric(float64(records)/el, "records/s")
	}
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStateBytesPerEntry measures the heap held by one million
// tracked fingerprints (index + FIFO ring) with runtime.MemStats.
func BenchmarkStateBytesPerEntry(b *testing.B) {
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newStore(benchEntries, ttls(int64(720*time.Hour/time.Millisecond)))
		nowMs := t0.UnixMilli()
		for i := range uint64(benchEntries) {
			var fb [16]byte
			binary.LittleEndian.PutUint64(fb[:8], mix64(i))
			binary.LittleEndian.PutUint64(fb[8:], i)
			s.put(makeKey(&fb, kindRefresh, 2), packVal(nowMs, uint32(i), kindRefresh, false))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(s.Len()), "bytes/entry")
		runtime.KeepAlive(s)
	}
}

// BenchmarkCheckpoint1M is one snapshot of a one-million-entry state
// (sweep, serialise, write 16 chunks to a storage client).
func BenchmarkCheckpoint1M(b *testing.B) {
	d := benchDetector(b)
	d.persist = &persister{client: storagetest.NewClient()}
	b.ResetTimer()
	for range b.N {
		d.st.version++ // force a write
		if err := d.checkpoint(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
