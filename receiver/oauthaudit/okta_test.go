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
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/oktafake"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadatatest"
)

// drain polls until a poll reaches the end of the log; it fails the test
// after too many polls.
func drain(t *testing.T, p *puller) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if p.pollOnce(context.Background()) == p.cfg.PollInterval {
			return
		}
	}
	t.Fatal("the pull never caught up")
}

// Every event arrives once across faults (429 with its reset header, 5xx,
// an undecodable page, a slow answer, malformed events), an API that serves
// the tail of each page again, out-of-order published times, and a restart
// from the stored cursor.
func TestOktaEveryEventOnceAcrossFaultsAndRestart(t *testing.T) {
	srv := newOktaFake(t)
	srv.Overlap = 2
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	first := oktaStory("a", 23, t0)
	srv.Add(first[:12]...)
	srv.AddRaw(`{"eventType":"user.session.start","published":"2024-01-01T00:00:00Z"}`)             // no uuid
	srv.AddRaw(`{"uuid":"bad-published","eventType":"user.session.start","published":"yesterday"}`) // bad time
	srv.AddRaw(`"not an object"`)
	srv.Add(first[12:]...)

	store := storagetest.NewClient()
	sink := &flakySink{err: errBusy}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p := newOktaTestPuller(t, srv, sink, store, metadatatest.NewSettings(tt))

	srv.FailStatus(http.StatusTooManyRequests, 30*time.Second)
	d := p.pollOnce(context.Background())
	assert.GreaterOrEqual(t, d, 29*time.Second, "a 429 waits for X-Rate-Limit-Reset")
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "a 503 is retried with backoff")
	srv.FailMalformedPage()
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "an undecodable page is retried")
	sink.fails = 1 // the pipeline refuses the first page once
	srv.SlowNext(50 * time.Millisecond)
	assert.Less(t, p.pollOnce(context.Background()), p.cfg.PollInterval, "a refused page is retried")
	drain(t, p)

	// A restart: a new puller from the stored cursor, with more events.
	second := oktaStory("b", 9, t0.Add(time.Minute))
	second = append(second, oktafake.OAuthEvent("reuse-1", contract.OktaDetectReuse, t0.Add(90*time.Second), "00u-user-1", "0oa-client-1", "", "FAILURE"))
	srv.Add(second...)
	p2 := newOktaTestPuller(t, srv, sink, store, receiver.Settings{})
	drain(t, p2)

	_, counts := recordsByID(sink.AllLogs())
	var want []string
	for _, ev := range append(first, second...) {
		want = append(want, ev.UUID)
	}
	require.Len(t, counts, len(want))
	for _, id := range want {
		assert.Equal(t, 1, counts[id], "event %s", id)
	}
	// The first request asked for a polling listing; every other request
	// followed a next link.
	reqs := srv.Requests()
	assert.Contains(t, reqs[0], "sortOrder=ASCENDING")
	assert.Contains(t, reqs[0], "since=")
	for _, r := range reqs[1:] {
		if r != reqs[0] { // a retry of the first request
			assert.Contains(t, r, "after=", "every later request follows the next link")
			assert.NotContains(t, r, "since=")
		}
	}
	assert.Contains(t, reqs[len(reqs)-1], "after=")

	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
	okta := attribute.NewSet(attribute.String("source", "okta"))
	metadatatest.AssertEqualReceiverOauthAuditEventsSkipped(t, tt, []metricdata.DataPoint[int64]{{Value: 3}}, opts...)
	metadatatest.AssertEqualReceiverOauthAuditEventsDelivered(t, tt, []metricdata.DataPoint[int64]{{Value: int64(len(first)), Attributes: okta}}, opts...)
	got, err := tt.GetMetric("otelcol_receiver_oauth_audit_poll_lag")
	require.NoError(t, err)
	lag := got.Data.(metricdata.Gauge[float64]).DataPoints
	require.Len(t, lag, 1)
	assert.Less(t, lag[0].Value, 5.0, "caught up: the lag is the time since the last poll reached the end")
}

func TestOktaUnauthorizedCountsAuthFailures(t *testing.T) {
	srv := newOktaFake(t)
	srv.Token = "another-token"
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p := newOktaTestPuller(t, srv, consumertest.NewNop(), nil, metadatatest.NewSettings(tt))
	p.pollOnce(context.Background())
	p.pollOnce(context.Background())
	metadatatest.AssertEqualReceiverOauthAuditAuthFailures(t, tt, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("source", "okta"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualReceiverOauthAuditPollErrors(t, tt, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
}

// A next link to another host is not followed: the SSWS token goes with it.
func TestOktaRefusesForeignNextLink(t *testing.T) {
	other := oktafake.New(oktaTestToken)
	t.Cleanup(other.Close)
	srv := newOktaFake(t)
	srv.Add(oktaStory("a", 3, time.Now().Add(-time.Minute))...)
	p := newOktaTestPuller(t, srv, consumertest.NewNop(), nil, receiver.Settings{})
	p.pageCur.Next = other.URL() + "/api/v1/logs?after=x"
	d := p.pollOnce(context.Background())
	require.Less(t, d, p.cfg.PollInterval)
	assert.Empty(t, other.Requests(), "a cursor off the configured org is not requested")

	src, err := newOktaSource(srv.URL(), 10)
	require.NoError(t, err)
	for _, bad := range []string{other.URL() + "/api/v1/logs?after=x", srv.URL() + "/api/v1/users", "ftp://" + strings.TrimPrefix(srv.URL(), "http://") + "/api/v1/logs"} {
		assert.Error(t, src.checkNext(bad), bad)
	}
	assert.NoError(t, src.checkNext(srv.URL()+"/api/v1/logs?after=abc&limit=10"))
}

func TestNextLink(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{[]string{`<https://o.okta.com/api/v1/logs?since=x>; rel="self"`, `<https://o.okta.com/api/v1/logs?after=1>; rel="next"`}, "https://o.okta.com/api/v1/logs?after=1"},
		{[]string{`<https://a/self>; rel="self", <https://a/n?after=2>; rel=next`}, "https://a/n?after=2"},
		{[]string{`<https://a/self>; rel="self"`}, ""},
		{[]string{`<https://a/x>; rel="prev next"`}, "https://a/x"},
		{[]string{`garbage`, `<unterminated`}, ""},
		{nil, ""},
	} {
		assert.Equal(t, tc.want, nextLink(tc.values), "%q", tc.values)
	}
}

func TestParseRateLimitReset(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	assert.Equal(t, 31*time.Second, parseRateLimitReset("1700000030", now))
	assert.Zero(t, parseRateLimitReset("", now))
	assert.Zero(t, parseRateLimitReset("soon", now))
	assert.Zero(t, parseRateLimitReset("1699990000", now))
	assert.Equal(t, maxRetryAfter, parseRateLimitReset("1800000000", now))
}

// oktaRecord maps one event.
func oktaRecord(t *testing.T, ev oktafake.LogEvent) plog.LogRecord {
	t.Helper()
	srv := newOktaFake(t)
	srv.Add(ev)
	sink := &consumertest.LogsSink{}
	p := newOktaTestPuller(t, srv, sink, nil, receiver.Settings{})
	drain(t, p)
	recs, _ := recordsByID(sink.AllLogs())
	lr, ok := recs[ev.UUID]
	require.True(t, ok)
	return lr
}

func attrs(lr plog.LogRecord) map[string]any { return lr.Attributes().AsRaw() }

func TestOktaMapping(t *testing.T) {
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	ev := func(typ, grant, result string) oktafake.LogEvent {
		return oktafake.OAuthEvent("u-"+strings.ReplaceAll(typ, ".", "-")+grant, typ, at, "00u1", "0oa1", grant, result)
	}
	for _, tc := range []struct {
		ev                        oktafake.LogEvent
		op, status, reason, grant string
		reported                  bool
		severity                  plog.SeverityNumber
	}{
		{ev(contract.OktaDetectReuse, "", "FAILURE"), contract.OpRefresh, contract.StatusReuseDetected, contract.ReasonReuseDetected, contract.GrantRefreshToken, true, plog.SeverityNumberError},
		{ev(contract.OktaOrgDetectReuse, "", "FAILURE"), contract.OpRefresh, contract.StatusReuseDetected, contract.ReasonReuseDetected, contract.GrantRefreshToken, true, plog.SeverityNumberError},
		{ev(contract.OktaTokenGrantAccessToken, contract.GrantAuthorizationCode, "SUCCESS"), contract.OpToken, contract.StatusSuccess, "", contract.GrantAuthorizationCode, false, plog.SeverityNumberInfo},
		{ev(contract.OktaTokenGrantAccessToken, contract.GrantRefreshToken, "SUCCESS"), contract.OpRefresh, contract.StatusSuccess, "", contract.GrantRefreshToken, false, plog.SeverityNumberInfo},
		{ev(contract.OktaTokenGrant, contract.GrantClientCredentials, "FAILURE"), contract.OpToken, contract.StatusFailure, "", contract.GrantClientCredentials, false, plog.SeverityNumberWarn},
		{ev(contract.OktaAuthorizeCode, "", "SUCCESS"), contract.OpAuthorize, contract.StatusSuccess, "", "", false, plog.SeverityNumberInfo},
		{ev(contract.OktaTokenRevoke, "", "SUCCESS"), contract.OpRevoke, contract.StatusSuccess, "", "", false, plog.SeverityNumberInfo},
		// The other tokens of one request are not counted again.
		{ev("app.oauth2.as.token.grant.id_token", contract.GrantAuthorizationCode, "SUCCESS"), "", "", "", "", false, plog.SeverityNumberInfo},
		{ev("app.oauth2.as.token.grant.refresh_token", contract.GrantAuthorizationCode, "SUCCESS"), "", "", "", "", false, plog.SeverityNumberInfo},
		{ev("user.session.start", "", "SUCCESS"), "", "", "", "", false, plog.SeverityNumberInfo},
	} {
		t.Run(tc.ev.EventType+"/"+tc.grant, func(t *testing.T) {
			lr := oktaRecord(t, tc.ev)
			a := attrs(lr)
			assert.Equal(t, tc.ev.EventType, lr.Body().Str())
			assert.Equal(t, tc.severity, lr.SeverityNumber())
			assert.Equal(t, at.UnixNano(), lr.Timestamp().AsTime().UnixNano())
			assert.Equal(t, tc.ev.EventType, a[contract.AttrAuditAction])
			assert.Equal(t, contract.ProviderOkta, a[contract.AttrProvider])
			assert.Equal(t, contract.SideServer, a[contract.AttrSide])
			assert.Equal(t, "0oa1", a[contract.AttrClientID])
			assert.Equal(t, "00u1", a[contract.AttrEnduserID])
			assert.Equal(t, "203.0.113.7", a[contract.AttrClientAddress])
			assert.Equal(t, "req-"+tc.ev.UUID, a[contract.AttrAuditDebugPrefix+"requestId"], "debugData passes through")
			check := func(key, want string) {
				if want == "" {
					assert.NotContains(t, a, key)
				} else {
					assert.Equal(t, want, a[key], key)
				}
			}
			check(contract.AttrOperation, tc.op)
			check(contract.AttrStatus, tc.status)
			check(contract.AttrReason, tc.reason)
			check(contract.AttrGrantType, tc.grant)
			if tc.reported {
				check(contract.AttrReportedEventType, contract.EventTokenReuse)
			} else {
				check(contract.AttrReportedEventType, "")
			}
		})
	}
}

func TestOktaMappingOutcomeReasonAndClientFallback(t *testing.T) {
	ev := oktafake.OAuthEvent("u1", contract.OktaTokenRevoke, time.Now().Add(-time.Minute), "00u1", "", "", "SUCCESS")
	ev.Outcome.Reason = "manual"
	ev.Actor.Type = "PublicClientApp"
	ev.Target = []oktafake.Target{{ID: "0oa-app", Type: "AppInstance"}}
	a := attrs(oktaRecord(t, ev))
	assert.Equal(t, contract.ReasonManual, a[contract.AttrReason], "a contract reason is kept")
	assert.Equal(t, "0oa-app", a[contract.AttrClientID], "the AppInstance target when client.id is absent")
	assert.NotContains(t, a, contract.AttrEnduserID, "only a User actor is the end user")

	ev = oktafake.OAuthEvent("u2", contract.OktaTokenGrant, time.Now().Add(-time.Minute), "00u1", "0oa1", "password", "FAILURE")
	ev.Outcome.Reason = strings.Repeat("The credentials are invalid. ", 20)
	a = attrs(oktaRecord(t, ev))
	assert.NotContains(t, a, contract.AttrReason, "free text is not a contract reason")
	assert.Len(t, a[contract.AttrAuditOutcomeReason], maxOutcomeReason, "the raw reason is kept, bounded")
	assert.Equal(t, "FAILURE", a[contract.AttrAuditOutcomeResult])
}

func TestOktaMalformedEventErrorsNameTheFieldOnly(t *testing.T) {
	const secret = "eyJhbGciOiJSUzI1NiJ9.secret-value"
	for _, raw := range []string{
		fmt.Sprintf(`{"uuid":1,"eventType":%q}`, secret),
		fmt.Sprintf(`{"uuid":"x","eventType":"a","published":%q}`, secret),
		fmt.Sprintf(`{"uuid":"x","eventType":"a","published":"2024-01-01T00:00:00Z","actor":%q}`, secret),
		fmt.Sprintf(`[%q]`, secret),
		`{"uuid":"x"`,
	} {
		_, err := parseOktaEvent([]byte(raw))
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "secret-value", raw)
	}
}
