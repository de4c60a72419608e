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
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/oktafake"
)

const oktaToken = "okta-ssws-token-for-fault-tests"

// oktaStream adds Okta OAuth events to the fake org as an org would: a
// steady stream, persisted out of published order, with a malformed event
// now and then.
type oktaStream struct {
	srv  *oktafake.Server
	mu   sync.Mutex
	uuid []string
	n    int
}

var oktaStreamTypes = []struct{ typ, grant string }{
	{contract.OktaAuthorizeCode, ""},
	{contract.OktaTokenGrantAccessToken, contract.GrantAuthorizationCode},
	{"app.oauth2.as.token.grant.refresh_token", contract.GrantAuthorizationCode},
	{contract.OktaTokenGrantAccessToken, contract.GrantRefreshToken},
	{contract.OktaTokenRevoke, ""},
	{"user.session.start", ""},
}

func (s *oktaStream) add(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range k {
		i := s.n
		s.n++
		kind := oktaStreamTypes[i%len(oktaStreamTypes)]
		at := time.Now().Add(-time.Duration(i%3) * time.Second) // out of published order
		id := fmt.Sprintf("okta-%05d", i)
		s.srv.Add(oktafake.OAuthEvent(id, kind.typ, at, "00u-user", "0oa-client", kind.grant, "SUCCESS"))
		s.uuid = append(s.uuid, id)
		if i%17 == 0 {
			s.srv.AddRaw(`{"eventType":"user.session.start","published":"2024-01-01T00:00:00Z"}`) // no uuid
		}
	}
}

func (s *oktaStream) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.uuid...)
}

// The Okta System Log pulled by the real binary across a SIGKILL and a
// graceful restart, with the fake org answering 429 (with its reset header),
// 503, an undecodable page and a slow page on the way: every event arrives
// (a repeat only for a page accepted in the instant of the SIGKILL before its
// cursor was written), and Okta's one reuse verdict is one refresh
// reuse_detected and one token_reuse finding.
func TestOktaPullAcrossSIGKILLAndRestart(t *testing.T) {
	const limit = 10
	srv := oktafake.New(oktaToken)
	t.Cleanup(srv.Close)
	stream := &oktaStream{srv: srv}
	stream.add(25)
	sink := testutil.StartOTLPSink(t, nil)
	stateDir := t.TempDir()
	cfg := fmt.Sprintf(`
extensions:
  # The one fingerprint key of this collector (contract section 3);
  # oauth_redact and oauth_security read it from here.
  oauth_fingerprint:
    key: ${env:OAUTH_FINGERPRINT_KEY}
  health_check:
    endpoint: localhost:13133
  file_storage:
    directory: %s
receivers:
  oauth_audit:
    source: okta
    pull:
      endpoint: OKTA_URL
      headers:
        Authorization: SSWS ${env:OKTA_API_TOKEN}
      poll_interval: 200ms
      limit: %d
      initial_lookback: 1h
      backoff:
        initial_interval: 100ms
        max_interval: 1s
    storage: file_storage
processors:
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
                port: OWN_PORT
  extensions: [health_check, file_storage, oauth_fingerprint]
  pipelines:
    logs:
      receivers: [oauth_audit]
      processors: [oauth_redact, oauth_security]
      exporters: [otlp_http/sink, oauth_span_metrics]
    metrics:
      receivers: [oauth_span_metrics]
      exporters: [prometheus]
`, stateDir, limit)
	cfg, ports := testutil.OnFreePorts(t, cfg)
	ownPort := testutil.FreePort(t)
	cfg = strings.NewReplacer("OKTA_URL", srv.URL(), "SINK_URL", sink.HTTPURL, "OWN_PORT", fmt.Sprint(ownPort)).Replace(cfg)
	path := testutil.WriteConfig(t, cfg)
	health := fmt.Sprintf("http://localhost:%d/", ports["13133"])
	env := "OKTA_API_TOKEN=" + oktaToken

	delivered := func() map[string]int {
		seen := map[string]int{}
		for _, lr := range sink.LogRecords() {
			if id, ok := lr.Attributes().Get(contract.AttrAuditID); ok {
				seen[id.Str()]++
			}
		}
		return seen
	}
	waitAll := func(what string) map[string]int {
		t.Helper()
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
		}, 60*time.Second, 100*time.Millisecond, "%s: not every Okta event arrived", what)
		return seen
	}

	first := testutil.Start(t, path, env)
	first.WaitHealthy(health, 60*time.Second)
	srv.FailStatus(http.StatusTooManyRequests, time.Second)
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	srv.FailMalformedPage()
	srv.SlowNext(2 * time.Second)
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

	second := testutil.Start(t, path, env)
	second.WaitHealthy(health, 60*time.Second)
	time.Sleep(2 * time.Second)
	require.NoError(t, second.Stop(30*time.Second))
	close(stop)
	<-done

	third := testutil.Start(t, path, env)
	third.WaitHealthy(health, 60*time.Second)
	// Okta's reuse verdict, after the last start: its counters start at 0.
	srv.Add(oktafake.OAuthEvent("okta-reuse-1", contract.OktaDetectReuse, time.Now(), "00u-user", "0oa-client", "", "FAILURE"))
	stream.mu.Lock()
	stream.uuid = append(stream.uuid, "okta-reuse-1")
	stream.mu.Unlock()
	waitAll("after the restarts")
	time.Sleep(time.Second) // a few more polls: nothing may come twice
	seen := delivered()

	want := stream.all()
	repeats := 0
	for _, id := range want {
		repeats += max(0, seen[id]-1)
	}
	t.Logf("okta: %d events on the server, %d distinct delivered, %d repeated (bound: one page of %d), %d requests",
		len(want), len(seen), repeats, limit, len(srv.Requests()))
	assert.Len(t, seen, len(want), "only the server's events, each at least once")
	assert.LessOrEqual(t, repeats, limit, "repeats beyond the page in flight at the SIGKILL")

	// The verdict: one record, a refresh reuse_detected with the reported
	// token_reuse, annotated token_reuse by oauth_security.
	var verdicts int
	for _, lr := range sink.LogRecords() {
		a := lr.Attributes()
		if st, _ := a.Get(contract.AttrStatus); st.Str() != contract.StatusReuseDetected {
			continue
		}
		verdicts++
		op, _ := a.Get(contract.AttrOperation)
		rep, _ := a.Get(contract.AttrReportedEventType)
		et, _ := a.Get(contract.AttrSecurityEventType)
		assert.Equal(t, contract.OpRefresh, op.Str())
		assert.Equal(t, contract.EventTokenReuse, rep.Str())
		assert.Equal(t, contract.EventTokenReuse, et.Str(), "oauth_security annotates the verdict")
	}
	assert.Equal(t, 1, verdicts, "one reuse verdict")

	metrics := fmt.Sprintf("http://localhost:%d/metrics", ports["8889"])
	var samples []testutil.Sample
	require.Eventually(t, func() bool {
		var err error
		samples, err = testutil.ScrapeMetrics(metrics)
		return err == nil && testutil.SumSamples(samples, contract.MetricTokenRefreshTotal, "status", contract.StatusReuseDetected) > 0
	}, 30*time.Second, 200*time.Millisecond, "no refresh reuse_detected series")
	assert.Equal(t, 1.0, testutil.SumSamples(samples, contract.MetricTokenRefreshTotal, "status", contract.StatusReuseDetected))
	assert.Equal(t, 1.0, testutil.SumSamples(samples, contract.MetricSecurityEventsTotal, "event_type", contract.EventTokenReuse))

	// The receiver's own telemetry, per source.
	own, err := testutil.ScrapeMetrics(fmt.Sprintf("http://localhost:%d/metrics", ownPort))
	require.NoError(t, err)
	var names []string
	for _, s := range own {
		if strings.Contains(s.Name, "oauth_audit") {
			names = append(names, fmt.Sprintf("%s%v=%g", s.Name, s.Labels, s.Value))
		}
	}
	t.Logf("own telemetry:\n%s", strings.Join(names, "\n"))
	assert.Positive(t, testutil.SumSamples(own, "otelcol_receiver_oauth_audit_events_delivered_total", "source", "okta")+
		testutil.SumSamples(own, "otelcol_receiver_oauth_audit_events_delivered", "source", "okta"))
	require.NoError(t, third.Stop(30*time.Second))
	assert.Empty(t, third.ErrorLines())
	assert.NotContains(t, first.Output()+second.Output()+third.Output(), oktaToken, "the SSWS token reached a log line")
}
