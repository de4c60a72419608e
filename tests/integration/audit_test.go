//go:build integration

package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

const (
	auditAdminToken = "audit-admin-token-for-tests"
	auditHMACSecret = "audit-hmac-secret-for-tests"
)

// auditServer is an in-process AuthPlane-compatible GET /admin/audit,
// newest first, as a bare JSON array.
type auditServer struct {
	mu     sync.Mutex
	events []string // JSON objects
	at     []time.Time
	hits   int
	srv    *httptest.Server
}

// morePolls waits until the collector polled n more times.
func (a *auditServer) morePolls(t *testing.T, n int) {
	t.Helper()
	a.mu.Lock()
	target := a.hits + n
	a.mu.Unlock()
	require.Eventually(t, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.hits >= target
	}, 30*time.Second, 50*time.Millisecond)
}

func newAuditServer(t *testing.T) *auditServer {
	a := &auditServer{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/audit" || r.Header.Get("Authorization") != "Bearer "+auditAdminToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		q := r.URL.Query()
		since, err := time.Parse(time.RFC3339, q.Get("since"))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		a.mu.Lock()
		a.hits++
		var idx []int
		for i, at := range a.at {
			if !at.Before(since) {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(i, j int) bool { return a.at[idx[i]].After(a.at[idx[j]]) })
		var page []string
		for k := offset; k < len(idx) && k < offset+limit; k++ {
			page = append(page, a.events[idx[k]])
		}
		a.mu.Unlock()
		_, _ = fmt.Fprintf(w, "[%s]", strings.Join(page, ","))
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *auditServer) add(prefix string, n int, from time.Time) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%s-%02d", prefix, i)
		at := from.Add(time.Duration(i/4) * time.Second).UTC().Truncate(time.Second)
		action := "token.refreshed"
		detail := "family=f" + prefix
		if i == 0 {
			action, detail = "family.revoked", "reuse_detection family=f"+prefix
		}
		a.events = append(a.events, fmt.Sprintf(`{"id":%q,"action":%q,"actor_id":"u1","client_id":"client-a","ip":"10.0.0.1","detail":%q,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","created_at":%q}`,
			id, action, detail, at.Format(time.RFC3339)))
		a.at = append(a.at, at)
		ids = append(ids, id)
	}
	return ids
}

type auditCollector struct {
	col      *testutil.Collector
	logsFile string
	pushURL  string
}

func startAuditCollector(t *testing.T, stateDir, auditURL string, start time.Time) *auditCollector {
	t.Helper()
	health, push := testutil.FreePort(t), testutil.FreePort(t)
	ac := &auditCollector{
		logsFile: t.TempDir() + "/logs.jsonl",
		pushURL:  fmt.Sprintf("http://localhost:%d/v1/audit", push),
	}
	cfg := fmt.Sprintf(`
extensions:
  health_check:
    endpoint: localhost:%d
  file_storage/audit:
    directory: %s
receivers:
  oauth_audit:
    pull:
      endpoint: %s
      bearer_token: ${env:AUDIT_ADMIN_TOKEN}
      poll_interval: 200ms
      limit: 5
      start_at: %s
    push:
      endpoint: localhost:%d
      hmac:
        secret: ${env:AUDIT_HMAC_SECRET}
    storage: file_storage/audit
exporters:
  file/logs:
    path: %s
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  extensions: [health_check, file_storage/audit]
  pipelines:
    logs:
      receivers: [oauth_audit]
      exporters: [file/logs]
`, health, stateDir, auditURL, start.UTC().Format(time.RFC3339), push, ac.logsFile)
	ac.col = testutil.Start(t, testutil.WriteConfig(t, cfg),
		"AUDIT_ADMIN_TOKEN="+auditAdminToken, "AUDIT_HMAC_SECRET="+auditHMACSecret)
	ac.col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", health), 60*time.Second)
	return ac
}

// records reads every log record the file exporter wrote so far.
func (ac *auditCollector) records(t *testing.T) []plog.LogRecord {
	t.Helper()
	return fileLogRecords(ac.logsFile)
}

func auditID(lr plog.LogRecord) string {
	v, _ := lr.Attributes().Get(contract.AttrAuditID)
	return v.Str()
}

func (ac *auditCollector) waitIDs(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	require.Eventually(t, func() bool {
		ids = ids[:0]
		for _, lr := range ac.records(t) {
			ids = append(ids, auditID(lr))
		}
		return len(ids) >= n
	}, 30*time.Second, 100*time.Millisecond, "expected %d audit records", n)
	return ids
}

func TestAuditPullCursorSurvivesRestartWithFileStorage(t *testing.T) {
	srv := newAuditServer(t)
	stateDir := t.TempDir()
	start := time.Now().Add(-10 * time.Minute)
	first := srv.add("a", 12, time.Now().Add(-5*time.Minute))

	ac := startAuditCollector(t, stateDir, srv.srv.URL, start)
	ac.waitIDs(t, len(first))
	// A few more polls: nothing may come twice.
	srv.morePolls(t, 3)
	got := ac.waitIDs(t, len(first))
	require.ElementsMatch(t, first, got)

	recs := ac.records(t)
	var reuse plog.LogRecord
	for _, lr := range recs {
		if auditID(lr) == "a-00" {
			reuse = lr
		}
	}
	attrs := reuse.Attributes().AsRaw()
	assert.Equal(t, contract.OpRevoke, attrs[contract.AttrOperation])
	assert.Equal(t, contract.StatusReuseDetected, attrs[contract.AttrStatus])
	assert.Equal(t, contract.ReasonReuseDetected, attrs[contract.AttrReason])
	assert.Equal(t, "family.revoked", attrs[contract.AttrAuditAction])
	assert.Equal(t, "client-a", attrs[contract.AttrClientID])
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", reuse.TraceID().String())
	assert.GreaterOrEqual(t, reuse.SeverityNumber(), plog.SeverityNumberWarn)
	require.NoError(t, ac.col.Stop(30*time.Second))
	assert.NotContains(t, ac.col.Output(), auditAdminToken)
	assert.NotContains(t, ac.col.Output(), auditHMACSecret)

	// Events written while the collector is down, then a restart on the same
	// file_storage directory: only those, exactly once.
	second := srv.add("b", 9, time.Now().Add(-time.Minute))
	ac2 := startAuditCollector(t, stateDir, srv.srv.URL, start)
	ac2.waitIDs(t, len(second))
	srv.morePolls(t, 3)
	got2 := ac2.waitIDs(t, len(second))
	require.ElementsMatch(t, second, got2, "the restarted collector repeated or lost events")
	require.NoError(t, ac2.col.Stop(30*time.Second))
}

func TestAuditPushSignedBatches(t *testing.T) {
	srv := newAuditServer(t)
	ac := startAuditCollector(t, t.TempDir(), srv.srv.URL, time.Now())
	body := []byte(`{"id":"p1","action":"client.registered","client_id":"client-b","detail":"source=dcr","created_at":"2026-11-22T11:00:00Z"}
{"id":"p2","action":"token.issued","client_id":"client-b","detail":"family=f9","created_at":"2026-11-22T11:00:01Z"}`)
	mac := hmac.New(sha256.New, []byte(auditHMACSecret))
	mac.Write(body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	send := func(sig string) int {
		req, err := http.NewRequest(http.MethodPost, ac.pushURL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Signature-256", sig)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, send("sha256="+strings.Repeat("0", 64)))
	assert.Equal(t, http.StatusOK, send(sig))
	got := ac.waitIDs(t, 2)
	assert.ElementsMatch(t, []string{"p1", "p2"}, got)
	for _, lr := range ac.records(t) {
		if auditID(lr) == "p1" {
			v, _ := lr.Attributes().Get(contract.AttrOperation)
			assert.Equal(t, contract.OpRegister, v.Str())
		}
	}
	require.NoError(t, ac.col.Stop(30*time.Second))
}
