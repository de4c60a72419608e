//go:build faults

package faults

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

const auditAdminToken = "audit-admin-token-for-fault-tests"

// liveAuditServer is an AuthPlane-compatible GET /admin/audit (oldest first,
// since/until inclusive, limit/offset paging, one-second created_at) whose
// events keep arriving while the test runs.
type liveAuditServer struct {
	mu     sync.Mutex
	ids    []string
	events []string
	at     []time.Time
	polls  int
	srv    *httptest.Server
}

func newLiveAuditServer(t *testing.T) *liveAuditServer {
	a := &liveAuditServer{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/audit" || r.Header.Get("Authorization") != "Bearer "+auditAdminToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		q := r.URL.Query()
		since, err1 := time.Parse(time.RFC3339, q.Get("since"))
		until, err2 := time.Parse(time.RFC3339, q.Get("until"))
		if err1 != nil || err2 != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		a.mu.Lock()
		a.polls++
		var page []string
		n := 0
		for i, at := range a.at {
			if at.Before(since) || at.After(until) {
				continue
			}
			if n >= offset && len(page) < limit {
				page = append(page, a.events[i])
			}
			n++
		}
		a.mu.Unlock()
		_, _ = fmt.Fprintf(w, "[%s]", strings.Join(page, ","))
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *liveAuditServer) add(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range n {
		id := fmt.Sprintf("ev-%05d", len(a.ids))
		at := time.Now().UTC().Truncate(time.Second)
		a.ids = append(a.ids, id)
		a.at = append(a.at, at)
		a.events = append(a.events, fmt.Sprintf(`{"id":%q,"action":"token.refreshed","actor_id":"u1","client_id":"client-a","ip":"10.0.0.1","detail":"family=f1","created_at":%q}`,
			id, at.Format(time.RFC3339)))
	}
}

func (a *liveAuditServer) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.ids...)
}

// refreshSpan is one successful server-side refresh with a raw refresh token
// (oauth_security fingerprints it) in its own trace.
func refreshSpan(trace byte, token string) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "auth-server")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("POST /token")
	sp.SetTraceID(pcommon.TraceID{0xfa, 0x17, trace})
	sp.SetSpanID(pcommon.SpanID{0xfa, trace})
	sp.SetKind(ptrace.SpanKindServer)
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-20 * time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	sp.Attributes().PutStr(contract.AttrStatus, contract.StatusSuccess)
	sp.Attributes().PutStr(contract.AttrRefreshToken, token)
	sp.Attributes().PutStr(contract.AttrEnduserID, "fault-user")
	b, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	return b
}

// The collector is SIGKILLed while the generator streams traces and logs
// into it and the audit receiver pulls a live audit API, then restarted on
// the same storage:
//   - oauth_security's state resumes: a refresh token first used more than
//     two checkpoint_intervals before the kill is flagged as reused when it
//     is replayed after the restart;
//   - the audit cursor resumes: every event the server holds arrives, none
//     lost, and an event arrives twice at most for one batch (pull.limit)
//     accepted by the pipeline but not yet in the stored cursor at the kill;
//   - the generator's OTLP sender retries through the outage: no span or log
//     record is lost (by ground truth); duplicates are the requests the sink
//     had already received when the kill cut off their acknowledgement.
func TestSIGKILLMidStreamResumes(t *testing.T) {
	const checkpoint = 2 * time.Second
	const auditLimit = 20
	audit := newLiveAuditServer(t)
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
  otlp:
    protocols:
      grpc:
        endpoint: localhost:4317
      http:
        endpoint: localhost:4318
  oauth_audit:
    pull:
      endpoint: AUDIT_URL
      bearer_token: %s
      poll_interval: 200ms
      limit: %d
      initial_lookback: 1m
      backoff:
        initial_interval: 100ms
        max_interval: 1s
    storage: file_storage
processors:
  oauth_security:
    fingerprint: oauth_fingerprint
    storage: file_storage
    checkpoint_interval: %s
exporters:
  # No sending queue: an acknowledgement to the sender or a stored audit
  # cursor means the sink has the records.
  otlp_http/sink:
    endpoint: SINK_URL
    compression: none
    sending_queue:
      enabled: false
service:
  telemetry:
    metrics:
      level: none
  extensions: [health_check, file_storage, oauth_fingerprint]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [oauth_security]
      exporters: [otlp_http/sink]
    logs:
      receivers: [otlp, oauth_audit]
      processors: [oauth_security]
      exporters: [otlp_http/sink]
`, stateDir, auditAdminToken, auditLimit, checkpoint)
	cfg, ports := testutil.OnFreePorts(t, cfg)
	// After OnFreePorts, which would move these too.
	cfg = strings.NewReplacer("AUDIT_URL", audit.srv.URL, "SINK_URL", sink.HTTPURL).Replace(cfg)
	path := testutil.WriteConfig(t, cfg)
	health := fmt.Sprintf("http://localhost:%d/", ports["13133"])
	otlpHTTP := fmt.Sprintf("http://localhost:%d/v1/traces", ports["4318"])

	first := testutil.Start(t, path)
	first.WaitHealthy(health, 60*time.Second)

	// Load: the generator's traces and logs at 2,000 records/s for 14 s.
	gt := newGroundTruth(oauthgen.Config{Seed: 9, AttackRate: -1, MetricsEvery: -1, Rate: 2000, Records: 1 << 20},
		oauthgen.Traces, oauthgen.Logs)
	sender, err := oauthgen.NewSender(oauthgen.SenderConfig{
		Endpoint: fmt.Sprintf("localhost:%d", ports["4317"]), Rate: 2000, Duration: 14 * time.Second, MaxRetries: 40,
	})
	require.NoError(t, err)
	defer sender.Close()
	statsCh := make(chan oauthgen.Stats, 1)
	go func() { statsCh <- sender.Run(context.Background(), gt) }()

	// Audit events keep arriving: 5 every 100 ms.
	stopAudit := make(chan struct{})
	auditDone := make(chan struct{})
	go func() {
		defer close(auditDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for range 300 { // at most 30 s
			select {
			case <-stopAudit:
				return
			case <-tick.C:
				audit.add(5)
			}
		}
	}()

	postSpan := func(b []byte) {
		t.Helper()
		resp, err := http.Post(otlpHTTP, "application/json", bytes.NewReader(b))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	token := randomToken(t, "rt_kill_", 32)
	postSpan(refreshSpan(1, token))
	firstUse := time.Now()
	time.Sleep(2*checkpoint + checkpoint/2)

	killedAt := time.Now()
	first.Kill()
	assertNoSecret(t, "first run's log", first.Output(), token)
	second := testutil.Start(t, path)
	second.WaitHealthy(health, 60*time.Second)
	restart := time.Since(killedAt)
	postSpan(refreshSpan(2, token)) // the rotated-away token, replayed
	t.Logf("kill: first use %.1fs before the SIGKILL (checkpoint_interval %s); restarted and healthy in %.2fs",
		killedAt.Sub(firstUse).Seconds(), checkpoint, restart.Seconds())

	var st oauthgen.Stats
	select {
	case st = <-statsCh:
	case <-time.After(90 * time.Second):
		t.Fatal("the sender did not finish")
	}
	close(stopAudit)
	<-auditDone

	// The replay is flagged.
	var replay ptrace.Span
	var found bool
	for i := 0; i < 100 && !found; i++ {
		for _, sp := range sink.Spans() {
			if sp.TraceID() == (pcommon.TraceID{0xfa, 0x17, 2}) {
				replay, found = sp, true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.True(t, found, "the replayed refresh never reached the sink")
	v, _ := replay.Attributes().Get(contract.AttrSecurityFindings)
	assert.Contains(t, v.AsString(), contract.EventTokenReuse, "findings on the replay")
	ev, _ := replay.Attributes().Get(contract.AttrSecurityEventType)
	assert.Equal(t, contract.EventTokenReuse, ev.AsString(), "the reuse whose first use predates the kill was not detected")

	// Every audit event arrives; repeats stay within one batch.
	want := audit.all()
	auditSeen := map[string]int{}
	for i := 0; i < 300; i++ { // at most 30 s
		auditSeen = map[string]int{}
		for _, lr := range sink.LogRecords() {
			if id, ok := lr.Attributes().Get("oauth.audit.id"); ok {
				auditSeen[id.AsString()]++
			}
		}
		if len(auditSeen) >= len(want) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lostIDs []string
	repeats := 0
	for _, id := range want {
		if auditSeen[id] == 0 {
			lostIDs = append(lostIDs, id)
		}
		repeats += max(0, auditSeen[id]-1)
	}
	sort.Strings(lostIDs)
	t.Logf("audit: %d events on the server, %d distinct delivered, %d lost, %d repeated (bound: pull.limit = %d), %d polls",
		len(want), len(auditSeen), len(lostIDs), repeats, auditLimit, audit.polls)
	assert.Empty(t, lostIDs, "audit events lost across the kill")
	assert.LessOrEqual(t, repeats, auditLimit, "audit events repeated beyond one batch")

	// The generator's records: none lost.
	gotSpans, gotLogs := map[string]int{}, map[string]int{}
	for _, sp := range sink.Spans() {
		if sp.TraceID()[0] != 0xfa || sp.TraceID()[1] != 0x17 {
			gotSpans[spanKey(sp)]++
		}
	}
	for _, lr := range sink.LogRecords() {
		if _, ok := lr.Attributes().Get("oauth.audit.id"); !ok {
			gotLogs[logKey(lr)]++
		}
	}
	sl, sd, su := compare(gt.spans, gotSpans)
	ll, ld, lu := compare(gt.logs, gotLogs)
	t.Logf("stream: %d records sent in %.1fs (%d spans, %d logs), %d retries, %d failed; spans lost %d dup %d; logs lost %d dup %d",
		gt.records(), st.Elapsed.Seconds(), sumCounts(gt.spans), sumCounts(gt.logs), st.Retries, st.Failed, sl, sd, ll, ld)
	assert.Zero(t, st.Failed, "the sender gave up on records: %s", st.LastError)
	assert.Zero(t, sl, "spans lost")
	assert.Zero(t, ll, "log records lost")
	assert.Zero(t, su+lu, "records the generator never sent")

	require.NoError(t, second.Stop(30*time.Second))
	assertNoSecret(t, "second run's log", second.Output(), token)
	assertNoSecret(t, "sink", sink.Dump(), token)
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
