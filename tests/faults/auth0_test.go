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
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
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
	sink := testutil.StartOTLPSink(t, nil)
	stateDir := t.TempDir()
	cfg := fmt.Sprintf(`
extensions:
  oauth_fingerprint:
    key: ${env:OAUTH_FINGERPRINT_KEY}
  health_check:
    endpoint: localhost:13133
  file_storage:
    directory: %s
  oauth2client/auth0:
    client_id: %s
    client_secret: ${env:AUTH0_CLIENT_SECRET}
    token_url: TENANT_URL/oauth/token
    endpoint_params:
      audience: TENANT_URL/api/v2/
receivers:
  oauth_audit:
    source: auth0
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
    storage: file_storage
processors:
  oauth_normalize: {}
  oauth_redact:
    fingerprint: oauth_fingerprint
  oauth_security:
    fingerprint: oauth_fingerprint
connectors:
  oauth_span_metrics: {}
exporters:
  # No sending queue: a stored cursor means the sink has the records.
  otlp_http/sink:
    endpoint: SINK_URL
    compression: none
    sending_queue:
      enabled: false
  prometheus:
    endpoint: localhost:8889
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: localhost
                port: 8888
  extensions: [health_check, file_storage, oauth2client/auth0, oauth_fingerprint]
  pipelines:
    logs:
      receivers: [oauth_audit]
      processors: [oauth_normalize, oauth_redact, oauth_security]
      exporters: [otlp_http/sink, oauth_span_metrics]
    metrics:
      receivers: [oauth_span_metrics]
      exporters: [prometheus]
`, stateDir, auth0ClientID, limit, auth0fake.LogID(0))
	cfg, ports := testutil.OnFreePorts(t, cfg)
	cfg = strings.NewReplacer("TENANT_URL", srv.URL(), "SINK_URL", sink.HTTPURL).Replace(cfg)
	path := testutil.WriteConfig(t, cfg)
	health := fmt.Sprintf("http://localhost:%d/", ports["13133"])
	pushURL := fmt.Sprintf("http://localhost:%d/auth0/logs", ports["4321"])
	env := []string{"AUTH0_CLIENT_SECRET=" + auth0ClientSecret, "AUTH0_LOG_STREAM_AUTHORIZATION=" + auth0StreamAuth}

	delivered := func() map[string]int {
		seen := map[string]int{}
		for _, lr := range sink.LogRecords() {
			if id, ok := lr.Attributes().Get(contract.AttrAuditID); ok {
				seen[id.Str()]++
			}
		}
		return seen
	}

	first := testutil.Start(t, path, env...)
	first.WaitHealthy(health, 60*time.Second)
	srv.FailStatus(http.StatusTooManyRequests, time.Second)
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	srv.FailMalformedPage()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				stream.add(3)
			}
		}
	}()
	time.Sleep(3 * time.Second)
	first.Kill()

	// The tenant stops accepting the old token: the restarted collector
	// fetches its own.
	srv.ExpireTokens()
	second := testutil.Start(t, path, env...)
	second.WaitHealthy(health, 60*time.Second)
	time.Sleep(2 * time.Second)
	require.NoError(t, second.Stop(30*time.Second))
	close(stop)
	<-done

	third := testutil.Start(t, path, env...)
	third.WaitHealthy(health, 60*time.Second)
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
	var seen map[string]int
	require.Eventually(t, func() bool {
		seen = delivered()
		for _, id := range want {
			if seen[id] == 0 {
				return false
			}
		}
		return true
	}, 60*time.Second, 100*time.Millisecond, "not every Auth0 log arrived")
	time.Sleep(time.Second) // a few more polls: nothing may come twice
	seen = delivered()
	repeats := 0
	for _, id := range want {
		repeats += max(0, seen[id]-1)
	}
	t.Logf("auth0: %d logs on the tenant, %d distinct delivered, %d repeated (bound: one page of %d), %d requests, %d tokens",
		len(want), len(seen), repeats, limit, len(srv.Requests()), srv.TokensIssued())
	assert.Len(t, seen, len(want), "only the tenant's logs, each at least once")
	assert.LessOrEqual(t, repeats, limit, "repeats beyond the page in flight at the SIGKILL")
	assert.Equal(t, 1, seen[reuse.LogID], "the ferrt, pulled and pushed, once")
	assert.GreaterOrEqual(t, srv.TokensIssued(), 3, "each start fetched its token through oauth2client")

	metrics := fmt.Sprintf("http://localhost:%d/metrics", ports["8889"])
	var samples []testutil.Sample
	require.Eventually(t, func() bool {
		samples, err = testutil.ScrapeMetrics(metrics)
		return err == nil && testutil.SumSamples(samples, contract.MetricTokenRefreshTotal, "status", contract.StatusReuseDetected) > 0
	}, 30*time.Second, 200*time.Millisecond, "no refresh reuse_detected series")
	assert.Equal(t, 1.0, testutil.SumSamples(samples, contract.MetricTokenRefreshTotal, "status", contract.StatusReuseDetected))
	assert.Equal(t, 1.0, testutil.SumSamples(samples, contract.MetricSecurityEventsTotal, "event_type", contract.EventTokenReuse))

	require.NoError(t, third.Stop(30*time.Second))
	assert.Empty(t, third.ErrorLines())
	out := first.Output() + second.Output() + third.Output()
	assert.NotContains(t, out, auth0ClientSecret, "the client secret reached a log line")
	assert.NotContains(t, out, "log-stream-token-for-fault-tests", "the stream's Authorization reached a log line")
	assert.NotContains(t, out, "mgmt-token-", "a Management API token reached a log line")
}
