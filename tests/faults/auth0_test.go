//go:build faults

package faults

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/auth0fake"
)

const (
	auth0ClientID     = "m2m-client-for-fault-tests"
	auth0ClientSecret = "m2m-secret-for-fault-tests"
	auth0StreamAuth   = "Bearer log-stream-token-for-fault-tests"
)

// auth0Stream adds OAuth logs to the fake tenant as a tenant would: a steady
// stream with a malformed log now and then.
type auth0Stream struct {
	srv *auth0fake.Server
	mu  sync.Mutex
	ids []string
	n   int
}

var auth0StreamTypes = []string{
	contract.Auth0CodeExchangeSuccess, contract.Auth0RefreshSuccess, "s",
	contract.Auth0RefreshFailure, contract.Auth0RefreshRevoked, "mgmt_api_read",
}

func (s *auth0Stream) add(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range k {
		s.n++
		seq := s.n
		if seq%17 == 0 {
			id := auth0fake.LogID(seq)
			s.srv.AddRaw(id, `{"log_id":"`+id+`","type":"s","date":"not a date"}`)
			continue
		}
		l := auth0fake.OAuthLog(seq, auth0StreamTypes[seq%len(auth0StreamTypes)], time.Now(), "auth0|user", "client-1")
		s.srv.Add(l)
		s.ids = append(s.ids, l.LogID)
	}
}

func (s *auth0Stream) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// The Auth0 logs pulled by the real binary (the Management API token from
// contrib's oauth2client extension) across a SIGKILL and a graceful restart,
// with the fake tenant answering 429 (with x-ratelimit-reset), 503, an
// undecodable page and an expired token on the way: every log arrives (a
// repeat only for a page accepted in the instant of the SIGKILL before its
// cursor was written). Auth0's one ferrt, pulled and pushed by the log
// stream, is one refresh reuse_detected and one token_reuse finding.
func TestAuth0PullAcrossSIGKILLAndRestart(t *testing.T) {
	const limit = 10
	srv := auth0fake.New(auth0ClientID, auth0ClientSecret)
	t.Cleanup(srv.Close)
	stream := &auth0Stream{srv: srv}
	stream.add(25)
	run := newAuditRun(t, auditSource{
		extensions: fmt.Sprintf(`  oauth2client/auth0:
    client_id: %s
    client_secret: ${env:AUTH0_CLIENT_SECRET}
    token_url: TENANT_URL/oauth/token
    endpoint_params:
      audience: TENANT_URL/api/v2/
`, auth0ClientID),
		extensionIDs: []string{"oauth2client/auth0"},
		receiver: fmt.Sprintf(`    source: auth0
    pull:
      endpoint: TENANT_URL
      auth:
        authenticator: oauth2client/auth0
      poll_interval: 200ms
      limit: %d
      start_log_id: "%s"
      backoff:
        initial_interval: 100ms
        max_interval: 1s
    push:
      endpoint: localhost:4321
      path: /auth0/logs
      authorization: ${env:AUTH0_LOG_STREAM_AUTHORIZATION}
`, limit, auth0fake.LogID(0)),
		processors: []string{"oauth_normalize", "oauth_redact", "oauth_security"},
		replace:    []string{"TENANT_URL", srv.URL()},
		env:        []string{"AUTH0_CLIENT_SECRET=" + auth0ClientSecret, "AUTH0_LOG_STREAM_AUTHORIZATION=" + auth0StreamAuth},
	})
	pushURL := fmt.Sprintf("http://localhost:%d/auth0/logs", run.ports["4321"])

	first := run.start()
	srv.FailStatus(http.StatusTooManyRequests, time.Second)
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	srv.FailMalformedPage()
	stop := streamWhile(stream.add)
	time.Sleep(3 * time.Second)
	first.Kill()

	// The tenant stops accepting the old token: the restarted collector
	// fetches its own.
	srv.ExpireTokens()
	second := run.start()
	time.Sleep(2 * time.Second)
	require.NoError(t, second.Stop(30*time.Second))
	stop()

	third := run.start()
	// Auth0's reuse verdict, after the last start (its counters start at 0):
	// pushed by the log stream, then served by the API as well.
	stream.mu.Lock()
	stream.n++
	reuse := auth0fake.OAuthLog(stream.n, contract.Auth0RotatingRefreshFailure, time.Now(), "auth0|user", "client-1")
	stream.ids = append(stream.ids, reuse.LogID)
	stream.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, pushURL, strings.NewReader(string(auth0fake.StreamBody(auth0fake.JSONLines, reuse))))
	require.NoError(t, err)
	req.Header.Set("Authorization", auth0StreamAuth)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	srv.Add(reuse)

	want := stream.all()
	seen := run.waitAll(want, "after the restarts")
	rep := repeats(want, seen)
	t.Logf("auth0: %d logs on the tenant, %d distinct delivered, %d repeated (bound: one page of %d), %d requests, %d tokens",
		len(want), len(seen), rep, limit, len(srv.Requests()), srv.TokensIssued())
	assert.Len(t, seen, len(want), "only the tenant's logs, each at least once")
	assert.LessOrEqual(t, rep, limit, "repeats beyond the page in flight at the SIGKILL")
	assert.Equal(t, 1, seen[reuse.LogID], "the ferrt, pulled and pushed, once")
	assert.GreaterOrEqual(t, srv.TokensIssued(), 3, "each start fetched its token through oauth2client")
	run.assertOneReuse()

	require.NoError(t, third.Stop(30*time.Second))
	assert.Empty(t, third.ErrorLines())
	out := first.Output() + second.Output() + third.Output()
	assert.NotContains(t, out, auth0ClientSecret, "the client secret reached a log line")
	assert.NotContains(t, out, "log-stream-token-for-fault-tests", "the stream's Authorization reached a log line")
	assert.NotContains(t, out, "mgmt-token-", "a Management API token reached a log line")
}
