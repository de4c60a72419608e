package oauthaudit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/keycloakfake"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadatatest"
)

// Every event arrives once, oldest first, across faults (429 with
// Retry-After, 5xx, an undecodable page, a refused batch, malformed
// events), events sharing a millisecond in a different order on every
// request, offset paging, and a restart from the stored cursor; the admin
// token comes from contrib's oauth2client extension.
func TestKeycloakEveryEventOnceAcrossFaultsAndRestart(t *testing.T) {
	srv := newKeycloakFake(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	first := kcStory(0, 23, t0, 300*time.Microsecond) // three or four a millisecond
	srv.Add(first[:10]...)
	bad := t0.Add(3 * time.Millisecond)
	srv.AddRaw(bad.UnixMilli(), `{"id":"no-type","time":`+ms(bad)+`}`)
	srv.AddRaw(bad.UnixMilli(), `{"id":"bad-time","type":"LOGIN","time":"yesterday"}`)
	srv.AddRaw(bad.UnixMilli(), `"not an object"`)
	srv.Add(first[10:]...)

	store := storagetest.NewClient()
	sink := &flakySink{err: errBusy}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	cfg := keycloakPullConfig(srv, t0.Add(-time.Minute))
	p := newKeycloakTestPuller(t, keycloakExtensions(t, srv), sink, store, metadatatest.NewSettings(tt), cfg)

	srv.FailStatus(http.StatusTooManyRequests, 30*time.Second)
	assert.GreaterOrEqual(t, p.pollOnce(context.Background()), 30*time.Second, "a 429 waits for Retry-After")
	srv.FailStatus(http.StatusBadGateway, 0)
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "a 502 is retried with backoff")
	srv.FailMalformedPage()
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "an undecodable page is retried")
	sink.fails = 1
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "a refused batch is retried")
	drain(t, p)
	assert.False(t, p.window.(*keycloakSource).legacy, "a 26.2+ server takes epoch milliseconds")

	// A restart: a new puller (and token) from the stored cursor.
	second := kcStory(23, 9, t0, 300*time.Microsecond)
	srv.Add(second...)
	p2 := newKeycloakTestPuller(t, keycloakExtensions(t, srv), sink, store, receiver.Settings{}, cfg)
	drain(t, p2)

	all := append(first, second...)
	requireExactlyOnce(t, kcIDs(t, all, false), sinkIDs(sink.AllLogs()))
	assertOldestFirst(t, sink.AllLogs())

	for _, r := range srv.Requests() {
		q := mustURL(t, r).Query()
		assert.Equal(t, "asc", q.Get("direction"), r)
		assert.Contains(t, []string{"5", "10"}, q.Get("max"), "limit, or twice it for the six events of one millisecond: %s", r)
		assert.NotContains(t, q.Get("dateFrom"), "-", "epoch milliseconds: %s", r)
		assert.NotEmpty(t, q.Get("dateTo"), r)
	}
	assert.Equal(t, 2, srv.TokensIssued(), "one token a puller: the extension caches it")
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
	// A malformed event is skipped (and counted) by every poll whose window
	// holds it: the three, at least once each.
	var skipped metricdata.ResourceMetrics
	require.NoError(t, tt.Reader.Collect(context.Background(), &skipped))
	assert.GreaterOrEqual(t, sumInt(skipped, "otelcol_receiver_oauth_audit_events_skipped"), int64(3))
	metadatatest.AssertEqualReceiverOauthAuditEventsDelivered(t, tt, []metricdata.DataPoint[int64]{
		{Value: int64(len(first)), Attributes: attribute.NewSet(attribute.String("source", "keycloak"))},
	}, opts...)
	v, err := store.Get(context.Background(), "pull_cursor_keycloak")
	require.NoError(t, err)
	assert.NotEmpty(t, v, "the cursor is stored under the source's key")
}

// A release before 26.2 answers 400 to an epoch-millisecond dateFrom: the
// source asks by day from then on, reads the newest-first listing until it
// reaches before the cursor, and identifies the events (which have no id)
// by digest. Events that arrive while it pages shift the listing: none is
// lost, none comes twice.
func TestKeycloakLegacyReleaseNewestFirstWithArrivals(t *testing.T) {
	srv := newKeycloakFake(t)
	srv.Release = keycloakfake.Legacy
	srv.Zone = time.FixedZone("UTC-5", -5*3600) // its day starts five hours after UTC's
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	old := kcStory(0, 6, t0.Add(-2*time.Hour), time.Second) // before the start: never read
	evs := kcStory(100, 12, t0, 700*time.Microsecond)
	srv.Add(old...)
	srv.Add(evs...)
	var mu sync.Mutex
	late := kcStory(200, 30, t0.Add(time.Minute), 100*time.Millisecond)
	arrived := 0
	srv.SetAfterPage(func() {
		mu.Lock()
		defer mu.Unlock()
		if arrived < len(late) {
			srv.Add(late[arrived : arrived+6]...) // more than a page arrives between two pages
			arrived += 6
		}
	})
	sink := &consumertest.LogsSink{}
	p := newKeycloakTestPuller(t, keycloakExtensions(t, srv), sink, storagetest.NewClient(), receiver.Settings{}, keycloakPullConfig(srv, t0))
	drain(t, p)
	srv.SetAfterPage(nil)
	drain(t, p)

	require.True(t, p.window.(*keycloakSource).legacy)
	requireExactlyOnce(t, kcIDs(t, append(evs, late...), true), sinkIDs(sink.AllLogs()))
	reqs := srv.Requests()
	assert.NotContains(t, reqs[0], "dateFrom="+t0.Format(time.DateOnly), "the first request asks in epoch milliseconds")
	for _, r := range reqs[1:] {
		q := mustURL(t, r).Query()
		assert.Equal(t, t0.UTC().AddDate(0, 0, -1).Format(time.DateOnly), q.Get("dateFrom")[:10], "the day before, whatever the server's zone: %s", r)
		assert.Empty(t, q.Get("dateTo"), r)
	}
}

// On a 26.2+ server (oldest first), events newer than those paged so far
// arrive while the receiver pages, inside the window and beyond it (dated
// now: they wait out the commit settle time): each arrives once.
func TestKeycloakArrivalsDuringPaging(t *testing.T) {
	srv := newKeycloakFake(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	evs := kcStory(0, 17, t0, 10*time.Millisecond)
	srv.Add(evs...)
	all := append([]keycloakfake.Event(nil), evs...)
	n := 0
	srv.SetAfterPage(func() {
		if n < 4 {
			batch := kcStory(300+n*5, 5, t0, 5*time.Millisecond) // after evs, inside the window
			batch = append(batch, kcStory(400+n, 1, time.Now(), 0)...)
			srv.Add(batch...)
			all = append(all, batch...)
			n++
		}
	})
	sink := &consumertest.LogsSink{}
	p := newKeycloakTestPuller(t, keycloakExtensions(t, srv), sink, storagetest.NewClient(), receiver.Settings{}, keycloakPullConfig(srv, t0))
	drain(t, p)
	srv.SetAfterPage(nil)
	require.Eventually(t, func() bool {
		drain(t, p)
		return len(sinkIDs(sink.AllLogs())) >= len(all)
	}, 20*time.Second, 500*time.Millisecond)
	requireExactlyOnce(t, kcIDs(t, all, false), sinkIDs(sink.AllLogs()))
}

// Keycloak orders by time alone: the events of one millisecond come in
// another order on every request, so an offset can cut them differently
// page to page. Each page starts again at the first event of its last
// millisecond; a millisecond with more events than a page is asked for
// whole with a larger max. Nothing is missed or repeated.
func TestKeycloakOneMillisecondLargerThanAPage(t *testing.T) {
	srv := newKeycloakFake(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	evs := kcStory(0, 4, t0, time.Millisecond)
	evs = append(evs, kcStory(10, 12, t0.Add(5*time.Millisecond), 0)...) // 12 events in one millisecond
	evs = append(evs, kcStory(30, 7, t0.Add(6*time.Millisecond), 100*time.Microsecond)...)
	srv.Add(evs...)
	for run := 0; run < 5; run++ {
		sink := &consumertest.LogsSink{}
		p := newKeycloakTestPuller(t, keycloakExtensions(t, srv), sink, nil, receiver.Settings{}, keycloakPullConfig(srv, t0))
		drain(t, p)
		requireExactlyOnce(t, kcIDs(t, evs, false), sinkIDs(sink.AllLogs()))
	}
	var grown bool
	for _, r := range srv.Requests() {
		grown = grown || mustURL(t, r).Query().Get("max") == "20"
	}
	assert.True(t, grown, "a page of one millisecond is asked for again, larger")
}

// The admin API refuses a token issued before the realm's not-before policy
// (401, counted as an auth failure) while the extension still holds it;
// the extension fetches a fresh token once its own expiry has passed, and
// the pull resumes where it was.
func TestKeycloakRevokedTokenThenFreshOne(t *testing.T) {
	srv := newKeycloakFake(t)
	srv.ExpiresIn = 13 // the client treats it as valid for about 3s
	t0 := time.Now().Add(-time.Hour)
	evs := kcStory(0, 8, t0, time.Second)
	srv.Add(evs[:4]...)
	sink := &consumertest.LogsSink{}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p := newKeycloakTestPuller(t, keycloakExtensions(t, srv), sink, nil, metadatatest.NewSettings(tt), keycloakPullConfig(srv, t0.Add(-time.Minute)))
	drain(t, p)
	require.Equal(t, 1, srv.TokensIssued())

	srv.PushNotBefore()
	srv.Add(evs[4:]...)
	require.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "401 is retried")
	metadatatest.AssertEqualReceiverOauthAuditAuthFailures(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("source", "keycloak"))},
	}, metricdatatest.IgnoreTimestamp())
	deadline := time.Now().Add(15 * time.Second)
	for p.pollOnce(context.Background()) != p.cfg.PollInterval {
		require.True(t, time.Now().Before(deadline), "no fresh token")
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, 2, srv.TokensIssued(), "a fresh token was fetched")
	requireExactlyOnce(t, kcIDs(t, evs, false), auditIDs(sink))
}

// An event becomes a record in Keycloak's own shape: the kc.* attributes
// of its span event (the story of the keycloak vocabulary's fixtures), the
// type as event name and body, the realm's name from the configuration.
func TestKeycloakRecordIsTheSpanEventShape(t *testing.T) {
	t0 := time.Unix(1_765_000_000, 0).UTC()
	evs, reqIDs, err := keycloakfake.StoryEvents("../../processor/oauthnormalize/testdata/keycloak/story.json", t0, time.Second)
	require.NoError(t, err)
	attrs := storyAttributes(t)
	src := &keycloakSource{realm: "demo"}
	for i, ev := range evs {
		pe, err := parseKeycloakEvent(mustJSON(t, ev))
		require.NoError(t, err)
		sl := plog.NewLogRecordSlice()
		src.appendRecord(sl, &pe, t0)
		lr := sl.At(0)
		assert.Equal(t, ev.Type, lr.EventName())
		assert.Equal(t, ev.Type, lr.Body().Str())
		assert.Equal(t, t0.Add(time.Duration(i)*time.Second), lr.Timestamp().AsTime())
		got := lr.Attributes().AsRaw()
		assert.Equal(t, ev.ID, got[contract.AttrAuditID])
		delete(got, contract.AttrAuditID)
		want := map[string]any{}
		for k, v := range attrs[reqIDs[i]] {
			want[k] = v
		}
		assert.Equal(t, want, got, reqIDs[i])
		if strings.HasSuffix(ev.Type, "_ERROR") {
			assert.Equal(t, plog.SeverityNumberWarn, lr.SeverityNumber())
		}
	}
}

// A malformed event names its field; an event without an id (before 26.2)
// gets the same digest however its details are ordered, and another one
// for another event.
func TestKeycloakParseEvent(t *testing.T) {
	for raw, field := range map[string]string{
		`{"time":1765000000000}`:                      "type",
		`{"type":"LOGIN"}`:                            "time",
		`{"type":"LOGIN","time":-4}`:                  "time",
		`{"type":"LOGIN","time":1,"details":{"a":1}}`: "details",
		`{"type":"LOGIN","time":1,"details":[]}`:      "details",
		`{"type":["LOGIN"],"time":1765000000000}`:     "type",
	} {
		_, err := parseKeycloakEvent([]byte(raw))
		var fe *FieldError
		require.ErrorAs(t, err, &fe, raw)
		assert.Equal(t, field, fe.Field, raw)
	}
	a, err := parseKeycloakEvent([]byte(`{"time":1765000000000,"type":"LOGIN","details":{"code_id":"s1","username":"alice"}}`))
	require.NoError(t, err)
	b, err := parseKeycloakEvent([]byte(`{"details":{"username":"alice","code_id":"s1"},"type":"LOGIN","time":1765000000000}`))
	require.NoError(t, err)
	c, err := parseKeycloakEvent([]byte(`{"time":1765000000000,"type":"LOGIN","details":{"code_id":"s2","username":"alice"}}`))
	require.NoError(t, err)
	assert.Equal(t, a.id, b.id)
	assert.NotEqual(t, a.id, c.id)
	assert.True(t, strings.HasPrefix(a.id, keycloakDigestIDPrefix))
	d, err := parseKeycloakEvent([]byte(`{"id":"3a1c","time":1765000000000,"type":"LOGIN"}`))
	require.NoError(t, err)
	assert.Equal(t, "3a1c", d.id)
}

// The request: the realm's events path on the configured base (a context
// path kept), the event types, epoch milliseconds, ascending.
func TestKeycloakEventsURL(t *testing.T) {
	src, err := newKeycloakSource("https://sso.example.com/auth/", "acme corp", []string{"CODE_TO_TOKEN", "REFRESH_TOKEN_ERROR"})
	require.NoError(t, err)
	since, until := time.UnixMilli(1_765_000_000_123), time.UnixMilli(1_765_000_060_000)
	u, err := url.Parse(src.eventsURL(since, until, 100, 50))
	require.NoError(t, err)
	assert.Equal(t, "/auth/admin/realms/acme%20corp/events", u.EscapedPath())
	assert.Equal(t, url.Values{
		"type": {"CODE_TO_TOKEN", "REFRESH_TOKEN_ERROR"}, "dateFrom": {"1765000000123"}, "dateTo": {"1765000060000"},
		"direction": {"asc"}, "first": {"100"}, "max": {"50"},
	}, u.Query())
	src.legacy = true
	u, err = url.Parse(src.eventsURL(since, until, 0, 50))
	require.NoError(t, err)
	assert.Equal(t, url.Values{
		"type": {"CODE_TO_TOKEN", "REFRESH_TOKEN_ERROR"}, "dateFrom": {"2025-12-05"}, "first": {"0"}, "max": {"50"},
	}, u.Query())
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// sinkIDs are the oauth.audit.id of every record, in delivery order.
func sinkIDs(ls []plog.Logs) []string {
	var ids []string
	eachRecord(ls, func(lr plog.LogRecord) {
		if v, ok := lr.Attributes().Get(contract.AttrAuditID); ok {
			ids = append(ids, v.Str())
		}
	})
	return ids
}

func eachRecord(ls []plog.Logs, f func(plog.LogRecord)) {
	for _, ld := range ls {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					f(lrs.At(k))
				}
			}
		}
	}
}

// assertOldestFirst checks that records were delivered in time order.
func assertOldestFirst(t *testing.T, ls []plog.Logs) {
	t.Helper()
	var last time.Time
	eachRecord(ls, func(lr plog.LogRecord) {
		at := lr.Timestamp().AsTime()
		assert.False(t, at.Before(last), "delivered out of time order")
		last = at
	})
}

// sumInt sums the int64 sum data points of the metric called name.
func sumInt(rm metricdata.ResourceMetrics, name string) int64 {
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if s, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
				for _, dp := range s.DataPoints {
					n += dp.Value
				}
			}
		}
	}
	return n
}

// storyAttributes are the span event attributes of each request of the
// keycloak vocabulary's story, by request id.
func storyAttributes(t *testing.T) map[string]map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../processor/oauthnormalize/testdata/keycloak/story.json")
	require.NoError(t, err)
	var story struct {
		Requests []struct {
			ID    string `json:"id"`
			Event *struct {
				Attributes map[string]string `json:"attributes"`
			} `json:"event"`
		} `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(b, &story))
	out := map[string]map[string]string{}
	for _, r := range story.Requests {
		if r.Event != nil {
			out[r.ID] = r.Event.Attributes
		}
	}
	return out
}

// A 400 that day dates do not cure either (a proxy, a refused filter) is
// not a release before 26.2: the source stays on epoch milliseconds.
func TestKeycloakBadRequestIsNotLegacyUnlessDaysWork(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Query().Get("dateFrom"))
		http.Error(w, "bad request", http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	cfg := defaultPullConfig()
	cfg.Endpoint = srv.URL
	cfg.Realm = kcTestRealm
	cfg.Headers.Set("Authorization", "Bearer unit-test")
	p := newKeycloakTestPuller(t, nil, consumertest.NewNop(), nil, receiver.Settings{}, cfg)
	src := p.window.(*keycloakSource)
	now := time.Now()
	_, err := src.fetch(context.Background(), p, now.Add(-time.Minute), now, 0, 5)
	require.Error(t, err)
	assert.False(t, src.legacy, "the day-date retry failed too")
	require.Len(t, asked, 2, "asked with milliseconds, then with a day")
	assert.NotContains(t, asked[1], ":", "the retry asks by day (yyyy-MM-dd)")
	assert.Len(t, asked[1], len("2006-01-02"))
}
