package oauthaudit

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadatatest"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// burst makes n events spread over a few seconds, many sharing a second.
func burst(prefix string, n int, from time.Time) []fakeEvent {
	evs := make([]fakeEvent, n)
	for i := range evs {
		evs[i] = fakeEvent{
			ID:     fmt.Sprintf("%s-%03d", prefix, i),
			Action: "token.issued", ClientID: "client-a", Detail: "family=f" + prefix,
			At: from.Add(time.Duration(i/9) * time.Second),
		}
	}
	return evs
}

func ids(evs []fakeEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func TestPullPagingWhateverTheOrder(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		desc, exclusive, envelope bool
	}{
		{"oldest-first", false, false, false},
		{"newest-first", true, false, false},
		{"newest-first-exclusive-since-envelope", true, true, true},
		{"oldest-first-exclusive-since", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeAudit(t)
			srv.desc, srv.exclusive, srv.envelope = tc.desc, tc.exclusive, tc.envelope
			first := burst("a", 60, t0.Add(-30*time.Second))
			srv.add(first...)
			clock := &fakeClock{t: t0}
			sink := &consumertest.LogsSink{}
			p := newTestPuller(t, srv, sink, nil, clock)

			require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
			requireExactlyOnce(t, ids(first), auditIDs(sink))

			// Nothing new: nothing delivered again.
			clock.set(t0.Add(10 * time.Second))
			p.pollOnce(context.Background())
			requireExactlyOnce(t, ids(first), auditIDs(sink))

			// New events, some in the same second as the last delivered one.
			last := first[len(first)-1].At
			second := burst("b", 25, last)
			srv.add(second...)
			clock.set(last.Add(5*time.Second + commitSettle))
			p.pollOnce(context.Background())
			requireExactlyOnce(t, append(ids(first), ids(second)...), auditIDs(sink))
		})
	}
}

// Events written while the receiver pages through a newest-first listing
// shift the offsets; none is lost or repeated.
func TestPullEventsArrivingWhilePaging(t *testing.T) {
	srv := newFakeAudit(t)
	srv.desc = true
	first := burst("a", 40, t0.Add(-10*time.Second))
	srv.add(first...)
	var late []fakeEvent
	srv.afterServe = func(f *fakeAudit) {
		if len(late) < 5 {
			e := fakeEvent{ID: fmt.Sprintf("late-%d", len(late)), Action: "token.refreshed", At: t0}
			late = append(late, e)
			f.events = append(f.events, e)
		}
	}
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock)
	p.pollOnce(context.Background())
	srv.mu.Lock()
	srv.afterServe = nil
	srv.mu.Unlock()
	clock.set(t0.Add(10 * time.Second))
	p.pollOnce(context.Background())
	requireExactlyOnce(t, append(ids(first), ids(late)...), auditIDs(sink))
}

// pollUntilCaughtUp polls until a poll ends with the normal interval.
func pollUntilCaughtUp(t *testing.T, p *puller) int {
	t.Helper()
	for i := 1; i <= 100; i++ {
		if d := p.pollOnce(context.Background()); d == p.cfg.PollInterval {
			return i
		}
		require.Zero(t, p.fails, "unexpected poll failure")
	}
	t.Fatal("never caught up")
	return 0
}

func TestPullBoundsEventsPerPoll(t *testing.T) {
	for _, desc := range []bool{false, true} {
		t.Run(fmt.Sprintf("desc=%v", desc), func(t *testing.T) {
			srv := newFakeAudit(t)
			srv.desc = desc
			evs := burst("a", 60, t0.Add(-20*time.Minute))                                              // 9 per second
			evs = append(evs, burst("b", 30, t0.Add(-3*time.Minute))...)                                // later
			evs = append(evs, fakeEvent{ID: "c", Action: "x", At: t0.Add(-commitSettle - time.Second)}) // at the edge
			srv.add(evs...)
			clock := &fakeClock{t: t0}
			var maxBatch int
			sink := &consumertest.LogsSink{}
			next := consumerFunc(func(ctx context.Context, ld plogLogs) error {
				maxBatch = max(maxBatch, ld.LogRecordCount())
				return sink.ConsumeLogs(ctx, ld)
			})
			p := newTestPuller(t, srv, next, nil, clock, func(c *PullConfig) { c.MaxEventsPerPoll = 12 })
			polls := pollUntilCaughtUp(t, p)
			assert.Greater(t, polls, 2, "the window was narrowed")
			requireExactlyOnce(t, ids(evs), auditIDs(sink))
			assert.LessOrEqual(t, maxBatch, p.cfg.Limit)
			clock.set(t0.Add(time.Minute))
			pollUntilCaughtUp(t, p)
			requireExactlyOnce(t, ids(evs), auditIDs(sink))
		})
	}
}

func TestPullTakesABusySecondWhole(t *testing.T) {
	srv := newFakeAudit(t)
	var evs []fakeEvent
	for i := 0; i < 40; i++ {
		evs = append(evs, fakeEvent{ID: fmt.Sprintf("s-%02d", i), Action: "token.issued", At: t0.Add(-10 * time.Second)})
	}
	srv.add(evs...)
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock, func(c *PullConfig) { c.MaxEventsPerPoll = 5 })
	pollUntilCaughtUp(t, p)
	requireExactlyOnce(t, ids(evs), auditIDs(sink))
}

func TestPullRequestShape(t *testing.T) {
	srv := newFakeAudit(t)
	srv.add(burst("a", 3, t0.Add(-time.Minute))...)
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock, func(c *PullConfig) {
		c.Action, c.ClientID, c.ActorID = "token.issued", "client-a", "u1"
		c.Endpoint += "/" // a trailing slash must not double
	})
	p.base = mustURL(t, srv.srv.URL+"/")
	p.pollOnce(context.Background())
	require.Len(t, auditIDs(sink), 3)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	require.NotEmpty(t, srv.requests)
	r := srv.requests[0]
	assert.Equal(t, "/admin/audit", r.URL.Path)
	assert.Equal(t, "Bearer test-admin-token", r.Header.Get("Authorization"))
	q := r.URL.Query()
	assert.Equal(t, "token.issued", q.Get("action"))
	assert.Equal(t, "client-a", q.Get("client_id"))
	assert.Equal(t, "u1", q.Get("actor_id"))
	assert.Equal(t, "7", q.Get("limit"))
	assert.Equal(t, "0", q.Get("offset"))
	assert.Equal(t, t0.Add(-time.Hour-time.Second).Format(time.RFC3339), q.Get("since"))
	assert.Equal(t, t0.Add(-commitSettle).Format(time.RFC3339), q.Get("until"))
}

func TestPullEndpointWithOrWithoutAuditPath(t *testing.T) {
	srv := newFakeAudit(t)
	srv.add(burst("a", 2, t0.Add(-time.Minute))...)
	for _, suffix := range []string{"", "/", "/admin/audit", "/admin/audit/"} {
		sink := &consumertest.LogsSink{}
		p := newTestPuller(t, srv, sink, nil, &fakeClock{t: t0})
		p.base = mustURL(t, srv.srv.URL+suffix)
		require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()), suffix)
		assert.Len(t, auditIDs(sink), 2, suffix)
	}
}

func TestPullCursorSurvivesRestart(t *testing.T) {
	srv := newFakeAudit(t)
	srv.desc = true
	first := burst("a", 30, t0.Add(-time.Minute))
	srv.add(first...)
	store := storagetest.NewClient()
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}

	p := newTestPuller(t, srv, sink, store, clock)
	p.pollOnce(context.Background())
	requireExactlyOnce(t, ids(first), auditIDs(sink))
	cur, err := store.Get(context.Background(), cursorKey)
	require.NoError(t, err)
	require.NotNil(t, cur)

	// "Restart": a new puller with the same storage and a start_at that
	// would repeat everything if the cursor were ignored.
	second := burst("b", 20, first[len(first)-1].At)
	srv.add(second...)
	clock.set(t0.Add(time.Minute))
	p2 := newTestPuller(t, srv, sink, store, clock)
	assert.Equal(t, p.cur.TS, p2.cur.TS)
	p2.pollOnce(context.Background())
	requireExactlyOnce(t, append(ids(first), ids(second)...), auditIDs(sink))
}

func TestPullRestartAfterPartialDelivery(t *testing.T) {
	srv := newFakeAudit(t)
	evs := burst("a", 40, t0.Add(-time.Minute))
	srv.add(evs...)
	store := storagetest.NewClient()
	clock := &fakeClock{t: t0}
	// Batches are of limit (7) events: accept two batches, then refuse.
	sink := &flakySink{err: errBusy}
	calls := 0
	next := consumerFunc(func(ctx context.Context, ld plogLogs) error {
		calls++
		if calls > 2 {
			return errBusy
		}
		return sink.ConsumeLogs(ctx, ld)
	})
	p := newTestPuller(t, srv, next, store, clock)
	d := p.pollOnce(context.Background())
	assert.Less(t, d, p.cfg.PollInterval, "a refused batch is retried with backoff")
	require.Len(t, auditIDs(&sink.LogsSink), 14)

	// Restart with a healthy pipeline: the rest, exactly once.
	p2 := newTestPuller(t, srv, sink, store, clock)
	p2.pollOnce(context.Background())
	requireExactlyOnce(t, ids(evs), auditIDs(&sink.LogsSink))
}

func TestPullConsumerRefusalRetriesWithoutLossOrDuplicates(t *testing.T) {
	srv := newFakeAudit(t)
	evs := burst("a", 20, t0.Add(-time.Minute))
	srv.add(evs...)
	clock := &fakeClock{t: t0}
	sink := &flakySink{fails: 3, err: errBusy}
	p := newTestPuller(t, srv, sink, nil, clock)
	for i := 0; i < 3; i++ {
		d := p.pollOnce(context.Background())
		require.Less(t, d, p.cfg.PollInterval+p.cfg.Backoff.MaxInterval)
		require.Equal(t, i+1, p.fails)
	}
	require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
	require.Equal(t, 0, p.fails)
	requireExactlyOnce(t, ids(evs), auditIDs(&sink.LogsSink))
}

func TestPullPermanentRefusalIsPassedOver(t *testing.T) {
	srv := newFakeAudit(t)
	evs := burst("a", 5, t0.Add(-time.Minute))
	srv.add(evs...)
	clock := &fakeClock{t: t0}
	sink := &flakySink{fails: 1, err: consumererror.NewPermanent(errBusy)}
	p := newTestPuller(t, srv, sink, nil, clock)
	require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
	assert.Empty(t, auditIDs(&sink.LogsSink))
	p.pollOnce(context.Background())
	assert.Empty(t, auditIDs(&sink.LogsSink), "a permanently rejected batch is not retried")
}

func TestPullBackoff(t *testing.T) {
	srv := newFakeAudit(t)
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock, func(c *PullConfig) {
		c.Backoff = BackoffConfig{InitialInterval: time.Second, MaxInterval: 8 * time.Second}
	})
	fail := func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }
	srv.failNext(fail, fail, fail, fail, fail, fail)
	var got []time.Duration
	for i := 0; i < 6; i++ {
		got = append(got, p.pollOnce(context.Background()))
	}
	// jitter is fixed at 0.5: delay = 3/4 of 1s, 2s, 4s, 8s, 8s, 8s.
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second, 6 * time.Second, 6 * time.Second}
	assert.Equal(t, want, got)

	// The jitter spreads delays between half and the whole step.
	p.jitter = func() float64 { return 0 }
	lo := p.backoff()
	p.jitter = func() float64 { return 0.999 }
	hi := p.backoff()
	assert.Equal(t, 4*time.Second, lo)
	assert.InDelta(t, float64(8*time.Second), float64(hi), float64(10*time.Millisecond))

	// Success resets the backoff.
	require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
	assert.Equal(t, 0, p.fails)
}

func TestPullHonoursRetryAfter(t *testing.T) {
	srv := newFakeAudit(t)
	clock := &fakeClock{t: t0}
	p := newTestPuller(t, srv, &consumertest.LogsSink{}, nil, clock)
	srv.failNext(func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "42")
		w.WriteHeader(http.StatusTooManyRequests)
	}, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", t0.Add(90*time.Second).Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	assert.Equal(t, 42*time.Second, p.pollOnce(context.Background()))
	assert.Equal(t, 90*time.Second, p.pollOnce(context.Background()))
	assert.Equal(t, time.Duration(0), parseRetryAfter("soon", t0))
	assert.Equal(t, time.Duration(0), parseRetryAfter("-5", t0))
	assert.Equal(t, maxRetryAfter, parseRetryAfter("999999", t0))
}

func TestPullMalformedPages(t *testing.T) {
	for name, body := range map[string]string{
		"not-json":       `<html>oops</html>`,
		"truncated":      `[{"id":"1","action":"token.issued"`,
		"wrong-envelope": `{"events":{"id":"1"}}`,
		"scalar":         `42`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeAudit(t)
			srv.add(burst("a", 3, t0.Add(-time.Minute))...)
			clock := &fakeClock{t: t0}
			sink := &consumertest.LogsSink{}
			p := newTestPuller(t, srv, sink, nil, clock)
			srv.failNext(func(w http.ResponseWriter) { _, _ = w.Write([]byte(body)) })
			d := p.pollOnce(context.Background())
			assert.Less(t, d, p.cfg.PollInterval, "an undecodable page is an error, retried with backoff")
			assert.Empty(t, auditIDs(sink))
			assert.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
			assert.Len(t, auditIDs(sink), 3)
		})
	}
}

func TestPullSkipsMalformedEventsKeepsTheRest(t *testing.T) {
	srv := newFakeAudit(t)
	clock := &fakeClock{t: t0}
	core, logs := observer.New(zap.WarnLevel)
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock)
	p.logger = zap.New(core)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	tel, err := metadata.NewTelemetryBuilder(metadatatest.NewSettings(tt).TelemetrySettings)
	require.NoError(t, err)
	p.tel = tel
	good := fakeEvent{ID: "ok", Action: "token.issued", At: t0.Add(-time.Minute)}.json()
	page := "[" + strings.Join([]string{
		good,
		`{"id":"no-action","created_at":"2026-11-22T11:59:00Z"}`,
		`{"id":"no-time","action":"token.issued"}`,
		`{"id":"bad-time","action":"token.issued","created_at":"yesterday"}`,
		`{"id":"bad-type","action":7,"created_at":"2026-11-22T11:59:00Z"}`,
		`{"id":"bad-trace","action":"token.issued","trace_id":"xyz","created_at":"2026-11-22T11:59:00Z"}`,
		`"just a string"`,
	}, ",") + "]"
	srv.failNext(func(w http.ResponseWriter) { _, _ = w.Write([]byte(page)) }, func(w http.ResponseWriter) { _, _ = w.Write([]byte("[]")) })
	require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
	assert.Equal(t, []string{"ok"}, auditIDs(sink))
	assert.Equal(t, 6, logs.FilterMessage("skipping a malformed audit event").Len())
	metadatatest.AssertEqualReceiverOauthAuditEventsSkipped(t, tt, []metricdata.DataPoint[int64]{{Value: 6}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestPullStopsWhenServerIgnoresOffset(t *testing.T) {
	srv := newFakeAudit(t)
	srv.ignoreOffset = true
	evs := burst("a", 20, t0.Add(-time.Minute))
	srv.add(evs...)
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock, func(c *PullConfig) { c.Limit = 100 })
	require.Equal(t, p.cfg.PollInterval, p.pollOnce(context.Background()))
	requireExactlyOnce(t, ids(evs), auditIDs(sink))
	assert.LessOrEqual(t, srv.requestCount(), 3)
}

func TestPullUnauthorizedNamesTheFieldNotTheToken(t *testing.T) {
	srv := newFakeAudit(t)
	clock := &fakeClock{t: t0}
	core, logs := observer.New(zap.WarnLevel)
	p := newTestPuller(t, srv, &consumertest.LogsSink{}, nil, clock, func(c *PullConfig) { c.BearerToken = "wrong-secret-token" })
	p.logger = zap.New(core)
	p.pollOnce(context.Background())
	require.Equal(t, 1, logs.Len())
	msg := fmt.Sprint(logs.All()[0].ContextMap())
	assert.Contains(t, msg, "pull.bearer_token")
	assert.NotContains(t, msg, "wrong-secret-token")
}

func TestCursorRejectsUnreadableStoredValue(t *testing.T) {
	store := storagetest.NewClient()
	require.NoError(t, store.Set(context.Background(), cursorKey, []byte("garbage")))
	cfg := defaultPullConfig()
	p := &puller{cfg: &cfg, store: store, now: time.Now, logger: zap.NewNop()}
	err := p.loadCursor(context.Background())
	require.ErrorContains(t, err, "storage")
}

// ctxStorage refuses writes under a cancelled context, as storages that
// honour their context do.
type ctxStorage struct{ *storagetest.Client }

func (s ctxStorage) Set(ctx context.Context, k string, v []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Client.Set(ctx, k, v)
}

func TestPullCursorSavedWhenShutdownFollowsAcceptance(t *testing.T) {
	srv := newFakeAudit(t)
	evs := burst("a", 5, t0.Add(-time.Minute))
	srv.add(evs...)
	store := ctxStorage{storagetest.NewClient()}
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	ctx, cancel := context.WithCancel(context.Background())
	// Shutdown cancels the poll right after the pipeline accepted the batch.
	next := consumerFunc(func(ctx context.Context, ld plogLogs) error {
		defer cancel()
		return sink.ConsumeLogs(ctx, ld)
	})
	p := newTestPuller(t, srv, next, store, clock)
	p.pollOnce(ctx)
	requireExactlyOnce(t, ids(evs), auditIDs(sink))

	// The restarted puller must not deliver the accepted events again.
	p2 := newTestPuller(t, srv, sink, store, clock)
	p2.pollOnce(context.Background())
	requireExactlyOnce(t, ids(evs), auditIDs(sink))
}

// An event dated after the poll's window (a server that ignores until, or
// whose clock is ahead) waits for a later window: delivering it would move
// the cursor past events still to come, and they would be lost.
func TestPullEventsAfterTheWindowWait(t *testing.T) {
	srv := newFakeAudit(t)
	srv.ignoreUntil = true
	a := fakeEvent{ID: "a", Action: "token.issued", At: t0.Add(-time.Minute)}
	ahead := fakeEvent{ID: "ahead", Action: "token.issued", At: t0.Add(30 * time.Second)}
	srv.add(a, ahead)
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock)
	p.pollOnce(context.Background())
	requireExactlyOnce(t, []string{"a"}, auditIDs(sink))

	b := fakeEvent{ID: "b", Action: "token.issued", At: t0.Add(5 * time.Second)}
	srv.add(b)
	clock.set(t0.Add(40 * time.Second))
	p.pollOnce(context.Background())
	requireExactlyOnce(t, []string{"a", "b", "ahead"}, auditIDs(sink))
}

// An event stamped before a poll but committed after it (AuthPlane writes
// the audit row in the request's transaction) still comes: the newest
// seconds stay out of a poll until they have settled.
func TestPullWaitsForLateCommits(t *testing.T) {
	srv := newFakeAudit(t)
	committed := fakeEvent{ID: "committed", Action: "token.issued", At: t0.Add(-time.Second)}
	srv.add(committed)
	clock := &fakeClock{t: t0}
	sink := &consumertest.LogsSink{}
	p := newTestPuller(t, srv, sink, nil, clock)
	p.pollOnce(context.Background())
	// Stamped earlier, visible only now.
	late := fakeEvent{ID: "late", Action: "token.issued", At: t0.Add(-2 * time.Second)}
	srv.add(late)
	clock.set(t0.Add(time.Minute))
	p.pollOnce(context.Background())
	requireExactlyOnce(t, []string{"committed", "late"}, auditIDs(sink))
}
