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
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/auth0fake"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

const auth0StreamAuth = "Bearer log-stream-token-for-unit-tests"

// startAuth0 starts an auth0 receiver: push on a free loopback port with
// the stream's Authorization value, and pull too when pull is set.
func startAuth0(t *testing.T, next consumer.Logs, pull *PullConfig, host component.Host, mutate ...func(*PushConfig)) string {
	t.Helper()
	pc := defaultPushConfig()
	pc.NetAddr.Endpoint = "127.0.0.1:0"
	pc.Authorization = auth0StreamAuth
	for _, m := range mutate {
		m(&pc)
	}
	cfg := &Config{Source: SourceAuth0, Push: configoptional.Some(pc)}
	if pull != nil {
		cfg.Pull = configoptional.Some(*pull)
	}
	require.NoError(t, cfg.Validate())
	r, err := newAuditReceiver(cfg, receivertest.NewNopSettings(metadata.Type), next)
	require.NoError(t, err)
	if host == nil {
		host = storagetest.NewHost(nil)
	}
	require.NoError(t, r.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	return "http://" + r.addr.String() + pc.Path
}

func TestAuth0PushContentFormats(t *testing.T) {
	sink := &flakySink{}
	url := startAuth0(t, sink, nil, nil)
	logs := auth0Story(1, 5, time.Now().Add(-time.Minute))
	for _, tc := range []struct {
		format string
		logs   []auth0fake.Log
	}{
		{auth0fake.JSONLines, logs[0:2]},
		{auth0fake.JSONArray, logs[2:4]},
		{auth0fake.JSONObject, logs[4:5]},
	} {
		code, _, body := post(t, url, string(auth0fake.StreamBody(tc.format, tc.logs...)), "Authorization", auth0StreamAuth)
		assert.Equal(t, http.StatusOK, code, tc.format)
		assert.Equal(t, fmt.Sprintf("{\"accepted\":%d}\n", len(tc.logs)), body, tc.format)
	}
	requireExactlyOnce(t, logIDs(logs), auditIDs(&sink.LogsSink))
	recs, _ := recordsByID(sink.AllLogs())
	a := attrs(recs[logs[0].LogID])
	assert.Equal(t, contract.ProviderAuth0, a[contract.AttrProvider])
	assert.Equal(t, contract.OpRefresh, a[contract.AttrOperation], "log 1 is a sertft")
}

func TestAuth0PushAuthorization(t *testing.T) {
	sink := &flakySink{}
	url := startAuth0(t, sink, nil, nil)
	body := string(auth0fake.StreamBody(auth0fake.JSONLines, auth0Story(1, 1, time.Now())...))
	for _, hdr := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", auth0StreamAuth + "x"}, {"Authorization", "Bearer"}} {
		code, _, resp := post(t, url, body, hdr...)
		assert.Equal(t, http.StatusUnauthorized, code, "%q", hdr)
		assert.NotContains(t, resp, "log-stream-token")
	}
	assert.Empty(t, sink.AllLogs())
}

func TestAuth0PushMalformedNamesTheLineOnly(t *testing.T) {
	sink := &flakySink{}
	url := startAuth0(t, sink, nil, nil)
	const secret = "eyJhbGciOiJSUzI1NiJ9.secret-value"
	good := string(auth0fake.StreamBody(auth0fake.JSONLines, auth0Story(1, 2, time.Now())...))
	for _, tc := range []struct{ body, want string }{
		{good + fmt.Sprintf(`{"log_id":"x","data":{"type":"s","date":%q}}`, secret), `line 3: field \"date\"`},
		{good + fmt.Sprintf(`{"log_id":"x","data":{"type":["%s"],"date":"2026-01-01T00:00:00Z"}}`, secret), `line 3: field \"data.type\"`},
		{good + fmt.Sprintf(`{"log_id":"x","data":%q}`, secret), `line 3: field \"data\"`},
		{good + `{"log_id":"x"}`, `line 3: field \"data\": is required`},
		{good + `{"log_id":"x","data":{"type":"s"`, `line 3: invalid JSON`},
		{fmt.Sprintf(`[%q]`, secret), `line 1:`},
	} {
		code, _, resp := post(t, url, tc.body, "Authorization", auth0StreamAuth)
		assert.Equal(t, http.StatusBadRequest, code, tc.body)
		assert.Contains(t, resp, tc.want)
		assert.NotContains(t, resp, "secret-value")
	}
	assert.Empty(t, sink.AllLogs(), "nothing of a malformed body is accepted")
}

func TestAuth0PushOversized(t *testing.T) {
	sink := &flakySink{}
	url := startAuth0(t, sink, nil, nil, func(p *PushConfig) { p.MaxRequestBodySize = 1024 })
	body := string(auth0fake.StreamBody(auth0fake.JSONArray, auth0Story(1, 20, time.Now())...))
	require.Greater(t, len(body), 1024)
	code, _, _ := post(t, url, body, "Authorization", auth0StreamAuth)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Empty(t, sink.AllLogs())
}

// A refusal is 503 + Retry-After and claims nothing: the retry is
// accepted; a replayed delivery (Auth0 delivers at least once) is counted
// once.
func TestAuth0PushRefusalAndReplay(t *testing.T) {
	sink := &flakySink{fails: 1, err: errBusy}
	url := startAuth0(t, sink, nil, nil, func(p *PushConfig) { p.RetryAfter = 7 * time.Second })
	logs := auth0Story(1, 3, time.Now())
	body := string(auth0fake.StreamBody(auth0fake.JSONArray, logs...))
	code, hdr, _ := post(t, url, body, "Authorization", auth0StreamAuth)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "7", hdr.Get("Retry-After"))
	code, _, resp := post(t, url, body, "Authorization", auth0StreamAuth)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "{\"accepted\":3}\n", resp)
	// The replay, and a delivery overlapping it.
	code, _, resp = post(t, url, body, "Authorization", auth0StreamAuth)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "{\"accepted\":0,\"duplicates\":3}\n", resp)
	more := append(logs[2:], auth0Story(4, 1, time.Now())...)
	code, _, resp = post(t, url, string(auth0fake.StreamBody(auth0fake.JSONLines, more...)), "Authorization", auth0StreamAuth)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "{\"accepted\":1,\"duplicates\":1}\n", resp)
	requireExactlyOnce(t, logIDs(auth0Story(1, 4, time.Now())), auditIDs(&sink.LogsSink))
}

// Pull and push on one receiver share one de-duplication window: a log
// pushed first and then served by the API (and the other way round) is
// delivered once; a ferrt seen both ways is one token_reuse.
func TestAuth0PullAndPushShareTheWindow(t *testing.T) {
	srv := newAuth0Fake(t)
	t0 := time.Now().Add(-time.Minute)
	logs := auth0Story(1, 6, t0)
	reuse := auth0fake.OAuthLog(7, contract.Auth0RotatingRefreshFailure, t0.Add(7*time.Second), "auth0|user-1", "client-1")
	logs = append(logs, reuse)
	sink := &flakySink{}
	pull := auth0PullConfig(srv, auth0fake.LogID(0))
	pull.PollInterval = 20 * time.Millisecond
	storeID := component.MustNewID("file_storage")
	host := storagetest.NewHost(auth0Extensions(t, srv, 0, map[component.ID]component.Component{storeID: storagetest.New()}))
	// Pushed before the receiver's first poll can see them.
	url := startAuth0(t, sink, &pull, host)
	code, _, _ := post(t, url, string(auth0fake.StreamBody(auth0fake.JSONLines, logs[:4]...)), "Authorization", auth0StreamAuth)
	require.Equal(t, http.StatusOK, code)
	srv.Add(logs...)
	waitFor(t, func() bool { return len(auditIDs(&sink.LogsSink)) >= len(logs) })
	// Pushed after the poll delivered them.
	waitFor(t, func() bool {
		for _, r := range srv.Requests() {
			if strings.Contains(r, "from="+reuse.LogID) {
				return true
			}
		}
		return false
	})
	code, _, resp := post(t, url, string(auth0fake.StreamBody(auth0fake.JSONArray, logs[3:]...)), "Authorization", auth0StreamAuth)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "{\"accepted\":0,\"duplicates\":4}\n", resp)
	requireExactlyOnce(t, logIDs(logs), auditIDs(&sink.LogsSink))
	recs, _ := recordsByID(sink.AllLogs())
	a := attrs(recs[reuse.LogID])
	assert.Equal(t, contract.EventTokenReuse, a[contract.AttrReportedEventType])
}
