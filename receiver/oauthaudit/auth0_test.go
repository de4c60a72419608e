package oauthaudit

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/auth0fake"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadatatest"
)

// Every log arrives once across faults (429 with x-ratelimit-reset, 5xx,
// an undecodable page, a refused page, malformed logs), paging by from/take
// along the next links, and a restart from the stored cursor; the
// Management API token comes from contrib's oauth2client extension.
func TestAuth0EveryLogOnceAcrossFaultsAndRestart(t *testing.T) {
	srv := newAuth0Fake(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	first := auth0Story(1, 12, t0)
	srv.Add(first[:6]...)
	srv.AddRaw(auth0fake.LogID(7), `{"log_id":"`+auth0fake.LogID(7)+`","type":"s"}`)                             // no date
	srv.AddRaw(auth0fake.LogID(8), `{"log_id":"`+auth0fake.LogID(8)+`","type":"s","date":"yesterday"}`)          // bad date
	srv.AddRaw(auth0fake.LogID(9), `{"log_id":"`+auth0fake.LogID(9)+`","type":7,"date":"2026-01-01T00:00:00Z"}`) // bad type
	first = append(first[:6], auth0Story(10, 9, t0)...)
	srv.Add(first[6:]...)

	exts := auth0Extensions(t, srv, 0, nil)
	store := storagetest.NewClient()
	sink := &flakySink{err: errBusy}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	cfg := auth0PullConfig(srv, auth0fake.LogID(0))
	p := newAuth0TestPuller(t, srv, exts, sink, store, metadatatest.NewSettings(tt), cfg)

	srv.FailStatus(http.StatusTooManyRequests, 30*time.Second)
	d := p.pollOnce(context.Background())
	assert.GreaterOrEqual(t, d, 29*time.Second, "a 429 waits for x-ratelimit-reset")
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "a 503 is retried with backoff")
	srv.FailMalformedPage()
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "an undecodable page is retried")
	sink.fails = 1 // the pipeline refuses the first page once
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "a refused page is retried")
	drain(t, p)

	// A restart: a new puller (and a new token) from the stored cursor,
	// with more logs, a reuse verdict among them.
	second := auth0Story(19, 6, t0)
	reuse := auth0fake.OAuthLog(25, contract.Auth0RotatingRefreshFailure, t0.Add(25*time.Second), "auth0|user-1", "client-1")
	second = append(second, reuse)
	srv.Add(second...)
	p2 := newAuth0TestPuller(t, srv, auth0Extensions(t, srv, 0, nil), sink, store, receiver.Settings{}, cfg)
	drain(t, p2)

	recs, counts := recordsByID(sink.AllLogs())
	want := logIDs(append(first, second...))
	require.Len(t, counts, len(want))
	for _, id := range want {
		assert.Equal(t, 1, counts[id], "log %s", id)
	}
	reused := 0
	for _, lr := range recs {
		if v, ok := lr.Attributes().Get(contract.AttrReportedEventType); ok && v.Str() == contract.EventTokenReuse {
			reused++
		}
	}
	assert.Equal(t, 1, reused, "the ferrt is exactly one reported token_reuse")

	// The first request started from the configured log_id; every other
	// one followed a next link (from=<log_id>&take=5).
	reqs := srv.Requests()
	assert.Contains(t, reqs[0], "from="+auth0fake.LogID(0))
	for _, r := range reqs {
		assert.Contains(t, r, "take=5")
		assert.Contains(t, r, "from=")
	}
	assert.Equal(t, 2, srv.TokensIssued(), "one token a puller: the extension caches it")

	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
	auth0 := attribute.NewSet(attribute.String("source", "auth0"))
	metadatatest.AssertEqualReceiverOauthAuditEventsSkipped(t, tt, []metricdata.DataPoint[int64]{{Value: 3}}, opts...)
	metadatatest.AssertEqualReceiverOauthAuditEventsDelivered(t, tt, []metricdata.DataPoint[int64]{{Value: int64(len(first)), Attributes: auth0}}, opts...)
}

// Without pull.start_log_id the first request has no from: Auth0 answers
// the most recent logs; the pull delivers them and continues after the
// newest of them. Older logs are not read back.
func TestAuth0FirstStartTakesTheNewest(t *testing.T) {
	srv := newAuth0Fake(t)
	t0 := time.Now().Add(-time.Hour)
	old := auth0Story(1, 7, t0)
	srv.Add(old...)
	sink := &consumertest.LogsSink{}
	store := storagetest.NewClient()
	cfg := auth0PullConfig(srv, "")
	cfg.Limit = 3
	p := newAuth0TestPuller(t, srv, auth0Extensions(t, srv, 0, nil), sink, store, receiver.Settings{}, cfg)
	drain(t, p)
	newer := auth0Story(8, 4, t0)
	srv.Add(newer...)
	drain(t, p)
	requireExactlyOnce(t, append(logIDs(old[4:]), logIDs(newer)...), auditIDs(sink))
	reqs := srv.Requests()
	assert.NotContains(t, reqs[0], "from=")
	assert.Contains(t, reqs[1], "from="+auth0fake.LogID(7), "continues after the newest log of the first answer")
}

// A token the tenant no longer accepts answers 401, counted as an auth
// failure; the oauth2client extension asks for a fresh token once its own
// expiry (expires_in less oauth2's 10s and expiry_buffer) has passed, and
// the pull resumes where it was.
func TestAuth0ExpiredTokenThenFreshOne(t *testing.T) {
	srv := newAuth0Fake(t)
	srv.ExpiresIn = 13 // the client treats it as valid for about 3s
	t0 := time.Now().Add(-time.Hour)
	logs := auth0Story(1, 4, t0)
	srv.Add(logs[:2]...)
	sink := &consumertest.LogsSink{}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p := newAuth0TestPuller(t, srv, auth0Extensions(t, srv, 0, nil), sink, nil, metadatatest.NewSettings(tt), auth0PullConfig(srv, auth0fake.LogID(0)))
	drain(t, p)
	require.Equal(t, 1, srv.TokensIssued())

	srv.ExpireTokens()
	srv.Add(logs[2:]...)
	require.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "401 is retried")
	require.Equal(t, 1, srv.TokensIssued(), "the extension still held its token")
	metadatatest.AssertEqualReceiverOauthAuditAuthFailures(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("source", "auth0"))},
	}, metricdatatest.IgnoreTimestamp())

	deadline := time.Now().Add(15 * time.Second)
	for p.pollOnce(context.Background()) != p.cfg.PollInterval {
		require.True(t, time.Now().Before(deadline), "no fresh token")
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, 2, srv.TokensIssued(), "a fresh token was fetched")
	requireExactlyOnce(t, logIDs(logs), auditIDs(sink))
}

// A next link to another host is not followed: the token goes with it.
func TestAuth0RefusesForeignNextLink(t *testing.T) {
	src, err := newAuth0Source("https://tenant.eu.auth0.com/api/v2/logs", 10, "")
	require.NoError(t, err)
	assert.Equal(t, "https://tenant.eu.auth0.com/api/v2/logs?take=10", src.firstURL(time.Time{}))
	for _, bad := range []string{"https://evil.example/api/v2/logs?from=1", "https://tenant.eu.auth0.com/api/v2/users", "http://tenant.eu.auth0.com/api/v2/logs?from=1"} {
		assert.Error(t, src.checkNext(bad), bad)
	}
	assert.NoError(t, src.checkNext("https://tenant.eu.auth0.com/api/v2/logs?from=9&take=10"))
}

// parsePage follows the Link header; without one it continues after the
// greatest log_id of the page, and an empty page stays.
func TestAuth0ParsePageNext(t *testing.T) {
	src, err := newAuth0Source("https://t.auth0.com", 10, "")
	require.NoError(t, err)
	h := http.Header{}
	h.Set("Link", `<https://t.auth0.com/api/v2/logs?from=5&take=10>; rel="next"`)
	_, next, err := src.parsePage([]byte(`[]`), h)
	require.NoError(t, err)
	assert.Equal(t, "https://t.auth0.com/api/v2/logs?from=5&take=10", next)

	raws, next, err := src.parsePage([]byte(`[{"log_id":"0009"},{"log_id":"0011"},{"log_id":"0010"},{"x":1},7]`), http.Header{})
	require.NoError(t, err)
	assert.Len(t, raws, 5)
	assert.Equal(t, "https://t.auth0.com/api/v2/logs?from=0011&take=10", next)

	_, next, err = src.parsePage([]byte(`[]`), http.Header{})
	require.NoError(t, err)
	assert.Empty(t, next)

	_, _, err = src.parsePage([]byte(`{"statusCode":200}`), http.Header{})
	require.Error(t, err)
}

func TestParseRateLimitResetAuth0Header(t *testing.T) {
	srv := newAuth0Fake(t)
	srv.Add(auth0Story(1, 1, time.Now())...)
	p := newAuth0TestPuller(t, srv, auth0Extensions(t, srv, 0, nil), consumertest.NewNop(), nil, receiver.Settings{}, auth0PullConfig(srv, ""))
	srv.FailStatus(http.StatusTooManyRequests, 90*time.Second)
	_, _, err := p.get(context.Background(), p.pageCur.Next)
	var se *httpStatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusTooManyRequests, se.code)
	assert.InDelta(t, 90, se.retryAfter.Seconds(), 2)
	assert.True(t, strings.Contains(se.Error(), "429"))
}
