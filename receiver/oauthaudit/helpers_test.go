package oauthaudit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

// fakeEvent is one row of the fake audit server.
type fakeEvent struct {
	ID, Action, ClientID, Detail string
	At                           time.Time
}

func (e fakeEvent) json() string {
	return fmt.Sprintf(`{"id":%q,"action":%q,"actor_id":"u1","client_id":%q,"ip":"10.0.0.1","detail":%q,"trace_id":"","created_at":%q}`,
		e.ID, e.Action, e.ClientID, e.Detail, e.At.UTC().Format(time.RFC3339))
}

// fakeAudit is an in-process AuthPlane-compatible GET /admin/audit.
type fakeAudit struct {
	t            *testing.T
	mu           sync.Mutex
	events       []fakeEvent
	desc         bool // newest first
	exclusive    bool // since compares with > instead of >=
	envelope     bool // {"events": [...]} instead of a bare array
	ignoreOffset bool
	ignoreUntil  bool
	token        string
	// fail, when non-nil, answers instead of the listing (one use per entry).
	fail     []func(w http.ResponseWriter)
	requests []*http.Request
	srv      *httptest.Server
	// afterServe runs (locked) after each listing is written.
	afterServe func(f *fakeAudit)
}

func newFakeAudit(t *testing.T) *fakeAudit {
	f := &fakeAudit{t: t, token: "test-admin-token"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAudit) add(evs ...fakeEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, evs...)
}

func (f *fakeAudit) failNext(fn ...func(w http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, fn...)
}

func (f *fakeAudit) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeAudit) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if r.URL.Path != "/admin/audit" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if len(f.fail) > 0 {
		fn := f.fail[0]
		f.fail = f.fail[1:]
		fn(w)
		return
	}
	q := r.URL.Query()
	// AuthPlane silently ignores a since it cannot parse: the receiver must
	// never send one.
	since, err := time.Parse(time.RFC3339, q.Get("since"))
	if err != nil {
		f.t.Errorf("since %q is not RFC 3339", q.Get("since"))
	}
	var until *time.Time
	if u := q.Get("until"); u != "" && !f.ignoreUntil {
		ut, err := time.Parse(time.RFC3339, u)
		if err != nil {
			f.t.Errorf("until %q is not RFC 3339", u)
		}
		until = &ut
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 50
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	if f.ignoreOffset {
		offset = 0
	}
	var sel []fakeEvent
	for _, e := range f.events {
		if f.exclusive && !e.At.After(since) || !f.exclusive && e.At.Before(since) {
			continue
		}
		if until != nil && e.At.After(*until) {
			continue
		}
		if a := q.Get("action"); a != "" && e.Action != a {
			continue
		}
		if c := q.Get("client_id"); c != "" && e.ClientID != c {
			continue
		}
		sel = append(sel, e)
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if f.desc {
			return sel[i].At.After(sel[j].At)
		}
		return sel[i].At.Before(sel[j].At)
	})
	if offset > len(sel) {
		offset = len(sel)
	}
	sel = sel[offset:min(offset+limit, len(sel))]
	body := "["
	for i, e := range sel {
		if i > 0 {
			body += ","
		}
		body += e.json()
	}
	body += "]"
	if f.envelope {
		body = `{"events":` + body + `}`
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
	if f.afterServe != nil {
		f.afterServe(f)
	}
}

// flakySink fails the first n deliveries with err, then records.
type flakySink struct {
	consumertest.LogsSink
	mu    sync.Mutex
	fails int
	err   error
}

func (s *flakySink) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	s.mu.Lock()
	if s.fails > 0 {
		s.fails--
		s.mu.Unlock()
		return s.err
	}
	s.mu.Unlock()
	return s.LogsSink.ConsumeLogs(ctx, ld)
}

var errBusy = errors.New("memory limiter: data refused")

// auditIDs returns the oauth.audit.id of every record the sink received.
func auditIDs(sink *consumertest.LogsSink) []string {
	var ids []string
	for _, ld := range sink.AllLogs() {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					v, _ := lrs.At(k).Attributes().Get(contract.AttrAuditID)
					ids = append(ids, v.Str())
				}
			}
		}
	}
	return ids
}

// requireExactlyOnce checks that ids holds every want id once and nothing else.
func requireExactlyOnce(t *testing.T, want []string, ids []string) {
	t.Helper()
	count := map[string]int{}
	for _, id := range ids {
		count[id]++
	}
	for _, id := range want {
		require.Equalf(t, 1, count[id], "event %s delivered %d times", id, count[id])
	}
	require.Len(t, ids, len(want), "unexpected extra events")
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// newTestPuller builds a puller against srv, polled by hand with pollOnce.
func newTestPuller(t *testing.T, srv *fakeAudit, next consumer.Logs, store storage.Client, clock *fakeClock, mutate ...func(*PullConfig)) *puller {
	t.Helper()
	cfg := defaultPullConfig()
	cfg.Endpoint = srv.srv.URL
	cfg.BearerToken = "test-admin-token"
	cfg.Limit = 7
	cfg.StartAt = clock.now().Add(-time.Hour)
	for _, m := range mutate {
		m(&cfg)
	}
	set := receivertest.NewNopSettings(metadata.Type)
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	require.NoError(t, err)
	obs, err := newObs(set)
	require.NoError(t, err)
	p := &puller{
		cfg: &cfg, client: srv.srv.Client(), next: next, logger: set.Logger, tel: tel, obs: obs,
		store: store, now: clock.now, jitter: func() float64 { return 0.5 }, base: mustURL(t, srv.srv.URL),
		modeSet: modeAttr("pull"),
	}
	p.sleep = func(context.Context, time.Duration) error { return nil }
	require.NoError(t, p.loadCursor(context.Background()))
	return p
}

type plogLogs = plog.Logs

// consumerFunc adapts a function to consumer.Logs.
type consumerFunc func(ctx context.Context, ld plog.Logs) error

func (f consumerFunc) ConsumeLogs(ctx context.Context, ld plog.Logs) error { return f(ctx, ld) }

func (consumerFunc) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }
