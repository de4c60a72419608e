package oauthsecurity

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

var storageID = component.MustNewIDWithName("file_storage", "security")

func plogOf(recs ...rec) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for _, r := range recs {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTraceID(traceID(r.trace))
		r.fill(lr.Attributes())
	}
	return ld
}

func tracesOf(recs ...rec) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, r := range recs {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(traceID(r.trace))
		sp.SetKind(r.kind)
		sp.SetEndTimestamp(1)
		r.fill(sp.Attributes())
	}
	return td
}

// collectorRun creates the processor through the factory like the service
// does (a traces and a logs pipeline) and starts it.
type collectorRun struct {
	traces processor.Traces
	logs   processor.Logs
	sink   *consumertest.TracesSink
}

func startRun(t *testing.T, cfg *Config, h component.Host) *collectorRun {
	t.Helper()
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	sink := new(consumertest.TracesSink)
	tp, err := f.CreateTraces(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	lp, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), h))
	require.NoError(t, lp.Start(context.Background(), h))
	return &collectorRun{traces: tp, logs: lp, sink: sink}
}

func (c *collectorRun) stop(t *testing.T) {
	require.NoError(t, c.traces.Shutdown(context.Background()))
	require.NoError(t, c.logs.Shutdown(context.Background()))
}

func (c *collectorRun) last() ptrace.Span {
	all := c.sink.AllTraces()
	return all[len(all)-1].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

func TestStateSurvivesCleanRestart(t *testing.T) {
	st := newStorage()
	h := host(exts{storageID: st})
	cfg := testConfig()
	cfg.Storage = &storageID

	run := startRun(t, cfg, h)
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(1, fp("rt-A")))))
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(op(2, cli, contract.OpDiscovery, contract.AttrProvider, "gh", contract.AttrIss, "https://gh"))))
	run.stop(t)
	assert.Equal(t, 1, st.Closes())
	assert.NotEmpty(t, stored(t, st, metaKey))
	st.Each(func(_ string, v []byte) {
		assert.NotContains(t, string(v), "rt-A")
	})

	run = startRun(t, cfg, h)
	defer run.stop(t)
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(3, fp("rt-A")))))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(run.last().Attributes()))
	cb := op(4, srv, contract.OpCallback, contract.AttrProvider, "gh", contract.AttrIss, "https://evil", contract.AttrSide, contract.SideClient)
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(cb)))
	assert.Equal(t, []string{contract.EventMixUp}, findings(run.last().Attributes()))
}

func TestCheckpointBoundsCrashLoss(t *testing.T) {
	st := newStorage()
	h := host(exts{storageID: st})
	cfg := testConfig()
	cfg.Storage = &storageID
	cfg.CheckpointInterval = time.Hour // the test calls checkpoint itself

	run := startRun(t, cfg, h)
	d := sharedDetector(t, cfg)
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(1, fp("kept")))))
	require.NoError(t, d.checkpoint(context.Background()))
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(2, fp("lost")))))
	// Crash: no shutdown, the second refresh never reached storage.
	crashed := st.Clone()
	run.stop(t)

	st2 := storagetest.Count(crashed)
	run = startRun(t, cfg, host(exts{storageID: st2}))
	defer run.stop(t)
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(3, fp("kept")))))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(run.last().Attributes()))
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(4, fp("lost")))))
	assert.Nil(t, findings(run.last().Attributes()))
}

func TestRestoreDropsExpiredAndForeignKey(t *testing.T) {
	st := newStorage()
	cfg := testConfig()
	cfg.Storage = &storageID
	cfg.CodeTTL = time.Minute
	run := startRun(t, cfg, host(exts{storageID: st}))
	d := sharedDetector(t, cfg)
	d.now = func() time.Time { return t0 }
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(op(1, srv, contract.OpToken, contract.AttrCode, fp("c")))))
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(2, fp("rt")))))
	run.stop(t)

	// Restart an hour later: the code expired meanwhile, the token did not.
	d2, err := newDetector(cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	d2.now = func() time.Time { return t0.Add(time.Hour) }
	c, _ := st.GetClient(context.Background(), component.KindProcessor, component.NewID(metadata.Type), "")
	require.NoError(t, d2.load(context.Background(), &persister{client: c}))
	assert.Equal(t, 1, d2.st.Len())

	other := testConfig()
	other.FingerprintKey = "another-key-0123456789abcdef0123456789"
	d3, err := newDetector(other, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.ErrorContains(t, d3.load(context.Background(), &persister{client: c}), "neither the fingerprint key nor one of its previous_keys")
	assert.Zero(t, d3.st.Len())

	// The same state loads under a new key that lists the old one.
	d4, err := newDetector(other, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	d4.now = d2.now
	d4.prev = []*contract.Fingerprinter{contract.NewFingerprinter(testkey.Key)}
	require.NoError(t, d4.load(context.Background(), &persister{client: c}))
	assert.Equal(t, 1, d4.st.Len())
}

func TestUnknownStorageFailsAtStart(t *testing.T) {
	cfg := testConfig()
	id := component.MustNewIDWithName("file_storage", "missing")
	cfg.Storage = &id
	f := NewFactory()
	tp, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = tp.Start(context.Background(), host(nil))
	require.ErrorContains(t, err, `"file_storage/missing"`)
	require.NoError(t, tp.Shutdown(context.Background()))

	notStorage := component.MustNewID("health_check")
	cfg2 := testConfig()
	cfg2.Storage = &notStorage
	tp, err = f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg2, consumertest.NewNop())
	require.NoError(t, err)
	err = tp.Start(context.Background(), host(exts{notStorage: struct {
		component.StartFunc
		component.ShutdownFunc
	}{}}))
	require.ErrorContains(t, err, "not a storage extension")
	require.NoError(t, tp.Shutdown(context.Background()))
}

func TestTracesAndLogsPipelinesShareState(t *testing.T) {
	cfg := testConfig()
	run := startRun(t, cfg, host(nil))
	defer run.stop(t)
	require.NoError(t, run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(1, fp("rt")))))
	h := &harness{t: t, d: sharedDetector(t, cfg), clock: t0}
	lr := h.log(refresh(2, fp("rt"), contract.AttrSide, contract.SideServer))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(lr.Attributes()))
}

func TestConcurrentPipelinesAndCheckpoints(t *testing.T) {
	st := newStorage()
	cfg := testConfig()
	cfg.Storage = &storageID
	cfg.CheckpointInterval = time.Hour
	run := startRun(t, cfg, host(exts{storageID: st}))
	d := sharedDetector(t, cfg)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				tok := fp(string(rune('a'+g)) + string(rune(i)))
				if g%2 == 0 {
					_ = run.traces.ConsumeTraces(context.Background(), tracesOf(refresh(byte(i), tok)))
				} else {
					_, _ = d.processLogs(context.Background(), plogOf(refresh(byte(i), tok)))
				}
			}
		}()
	}
	for range 20 {
		require.NoError(t, d.checkpoint(context.Background()))
	}
	for range 4 {
		<-done
	}
	run.stop(t)
	assert.NotEmpty(t, stored(t, st, metaKey))
}

// The service may call Shutdown twice, or without Start; one pipeline's
// repeated Shutdown must not end the state that another pipeline still uses.
func TestLifecycleIdempotent(t *testing.T) {
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)

	cfg := testConfig()
	tp, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, tp.Shutdown(context.Background()))
	require.NoError(t, tp.Shutdown(context.Background()))

	st := newStorage()
	cfg = testConfig()
	cfg.Storage = &storageID
	cfg.CheckpointInterval = time.Hour
	run := startRun(t, cfg, host(exts{storageID: st}))
	require.NoError(t, run.traces.Start(context.Background(), host(exts{storageID: st})))
	require.NoError(t, run.traces.Shutdown(context.Background()))
	require.NoError(t, run.traces.Shutdown(context.Background()))
	assert.Zero(t, st.Closes(), "the logs pipeline still runs")
	require.NoError(t, run.logs.ConsumeLogs(context.Background(), plogOf(refresh(1, fp("rt-late")))))
	require.NoError(t, run.logs.Shutdown(context.Background()))
	require.NoError(t, run.logs.Shutdown(context.Background()))
	assert.Equal(t, 1, st.Closes())
	assert.NotEmpty(t, stored(t, st, chunkPrefix+"0"), "the last pipeline's shutdown saves the state")
}

func TestStorageWithoutClientFailsAtStart(t *testing.T) {
	cfg := testConfig()
	cfg.Storage = &storageID
	tp, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.ErrorContains(t, tp.Start(context.Background(), host(exts{storageID: &storagetest.Extension{NoClient: true}})), `storage: extension "file_storage/security"`)
	require.NoError(t, tp.Shutdown(context.Background()))
}
