//go:build faults

package faults

import (
	"fmt"
	"net/http"
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
	run := newAuditRun(t, auditSource{
		receiver: fmt.Sprintf(`    source: okta
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
`, limit),
		processors: []string{"oauth_redact", "oauth_security"},
		replace:    []string{"OKTA_URL", srv.URL()},
		env:        []string{"OKTA_API_TOKEN=" + oktaToken},
	})

	first := run.start()
	srv.FailStatus(http.StatusTooManyRequests, time.Second)
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	srv.FailMalformedPage()
	srv.SlowNext(2 * time.Second)
	stop := streamWhile(stream.add)
	time.Sleep(3 * time.Second)
	first.Kill()

	second := run.start()
	time.Sleep(2 * time.Second)
	require.NoError(t, second.Stop(30*time.Second))
	stop()

	third := run.start()
	// Okta's reuse verdict, after the last start: its counters start at 0.
	srv.Add(oktafake.OAuthEvent("okta-reuse-1", contract.OktaDetectReuse, time.Now(), "00u-user", "0oa-client", "", "FAILURE"))
	stream.mu.Lock()
	stream.uuid = append(stream.uuid, "okta-reuse-1")
	stream.mu.Unlock()
	want := stream.all()
	seen := run.waitAll(want, "after the restarts")

	rep := repeats(want, seen)
	t.Logf("okta: %d events on the server, %d distinct delivered, %d repeated (bound: one page of %d), %d requests",
		len(want), len(seen), rep, limit, len(srv.Requests()))
	assert.Len(t, seen, len(want), "only the server's events, each at least once")
	assert.LessOrEqual(t, rep, limit, "repeats beyond the page in flight at the SIGKILL")

	// The verdict: one record, a refresh reuse_detected with the reported
	// token_reuse, annotated token_reuse by oauth_security.
	var verdicts int
	for _, lr := range run.sink.LogRecords() {
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
	run.assertOneReuse()

	// The receiver's own telemetry, per source.
	own := run.ownTelemetry()
	assert.Positive(t, testutil.SumSamples(own, "otelcol_receiver_oauth_audit_events_delivered_total", "source", "okta")+
		testutil.SumSamples(own, "otelcol_receiver_oauth_audit_events_delivered", "source", "okta"))
	require.NoError(t, third.Stop(30*time.Second))
	assert.Empty(t, third.ErrorLines())
	assert.NotContains(t, first.Output()+second.Output()+third.Output(), oktaToken, "the SSWS token reached a log line")
}
