//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// exampleRecord is what an example client writes with -record / --record.
type exampleRecord struct {
	ClientID      string   `json:"client_id"`
	Flows         int      `json:"flows"`
	Refreshes     int      `json:"refreshes"`
	TokenReuse    spanRef  `json:"token_reuse"`
	CodeInjection spanRef  `json:"code_injection"`
	Integrity     *spanRef `json:"integrity_violation"`
	Secrets       []string `json:"secrets"`
}

type spanRef struct {
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
}

// The example clients, through an agent (deploy/agent.yaml, OTLP/HTTP in,
// pino vocabulary mapped, secrets fingerprinted at the edge) to the gateway
// (deploy/gateway.yaml over mutual TLS), with Prometheus scraping the
// gateway and Loki storing its logs: each client's one refresh-token reuse
// and one code injection are found exactly once, on the records the client
// says, counted in Prometheus and stored in Loki without a raw secret.
func TestExampleClients(t *testing.T) {
	root := testutil.RepoRoot(t)
	node, npm := nodeTools(t)
	nodeDir := filepath.Join(root, "examples", "node-client")
	npmCI(t, npm, nodeDir)

	s, agentHTTP := startAgentStack(t)
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", agentHTTP)
	const goService, nodeService = "go-oauth-client", "node-oauth-client"
	const flows, refreshes = 3, 3
	// Before its attacks a client flushes and waits, so that the legitimate
	// uses are processed first (agent batching: 1 s); generous on a busy host.
	const attackDelay = 3 * time.Second

	goRec := runExample(t, "go-client", root, "go", "run", "./examples/go-client",
		"-endpoint", endpoint, "-seed", "1001", "-service", goService, "-client-id", "go-e2e-client",
		"-flows", fmt.Sprint(flows), "-refreshes", fmt.Sprint(refreshes), "-attack-delay", attackDelay.String(), "-record")
	nodeRec := runExample(t, "node-client", nodeDir, node, "client.js",
		"--endpoint", endpoint, "--seed", "2002", "--service", nodeService, "--client-id", "node-e2e-client",
		"--flows", fmt.Sprint(flows), "--refreshes", fmt.Sprint(refreshes),
		"--attack-delay-ms", fmt.Sprint(attackDelay.Milliseconds()), "--record")
	for _, r := range []exampleRecord{goRec, nodeRec} {
		require.Equal(t, flows, r.Flows, r.ClientID)
		require.Equal(t, flows*refreshes+1, r.Refreshes, "%s: the reuse is a refresh too", r.ClientID)
		require.NotEmpty(t, r.TokenReuse.TraceID, r.ClientID)
		require.NotEmpty(t, r.CodeInjection.TraceID, r.ClientID)
		require.Greater(t, len(r.Secrets), 20, r.ClientID)
	}
	require.NotNil(t, nodeRec.Integrity)

	eq := func(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
	// --- Prometheus. Each client: flows+1 successful callbacks (the injected
	// code went through the naive AS), flows×refreshes rotations, one reuse,
	// one injection; the Node client reported one integrity violation.
	s.promValue(t, `sum(oauth_token_refresh_total{status="reuse_detected"})`, eq(2))
	s.promValue(t, `sum(oauth_token_refresh_total{status="success"})`, eq(2*flows*refreshes))
	s.promValue(t, `sum(oauth_code_injection_attempts_total)`, eq(2))
	s.promValue(t, `sum(oauth_security_events_total{event_type="token_reuse",severity="critical"})`, eq(2))
	s.promValue(t, `sum(oauth_security_events_total{event_type="code_injection",severity="critical"})`, eq(2))
	s.promValue(t, `sum(oauth_security_events_total{event_type="integrity_violation"})`, eq(1))
	s.promValue(t, `sum(oauth_security_events_total)`, eq(5))
	s.promValue(t, `sum(oauth_flows_total{status="success"})`, eq(2*(flows+1)))
	s.promValue(t, `sum(oauth_flows_total{status="initiated"})`, eq(2*(flows+1)))
	s.promValue(t, `sum(oauth_pkce_states_created_total)`, eq(2*(flows+1)))
	s.promValue(t, `sum(oauth_pkce_validations_total{status="failure",reason="invalid_hash"})`, eq(1))
	s.promValue(t, `sum(oauth_token_revocations_total{reason="manual"})`, eq(2*flows))
	s.promValue(t, `sum(oauth_discovery_attempts_total{status="success"})`, eq(2))
	// Per client: the exporter labels each series with its service.name
	// (exported_job once scraped).
	for _, svc := range []string{goService, nodeService} {
		s.promValue(t, fmt.Sprintf(`sum(oauth_token_refresh_total{status="reuse_detected",reason="reuse_detected",exported_job=%q})`, svc), eq(1))
		s.promValue(t, fmt.Sprintf(`sum(oauth_token_refresh_total{status="success",exported_job=%q})`, svc), eq(flows*refreshes))
		s.promValue(t, fmt.Sprintf(`sum(oauth_code_injection_attempts_total{exported_job=%q})`, svc), eq(1))
		s.promValue(t, fmt.Sprintf(`sum(oauth_flows_total{status="success",exported_job=%q})`, svc), eq(flows+1))
	}

	// --- Loki: the findings, once each, on the records the clients named.
	lines := func(query string, want int) []string {
		t.Helper()
		var got []string
		eventually(t, 120, "loki: "+query, func() error {
			var err error
			if _, got, err = s.lokiQuery(query); err != nil {
				return err
			}
			if len(got) < want {
				return fmt.Errorf("%d lines, want %d: %q", len(got), want, got)
			}
			return nil
		})
		return got
	}
	for _, c := range []struct {
		service string
		rec     exampleRecord
	}{{goService, goRec}, {nodeService, nodeRec}} {
		sel := fmt.Sprintf(`{service_name=%q}`, c.service)
		for _, f := range []struct {
			eventType string
			ref       spanRef
		}{{"token_reuse", c.rec.TokenReuse}, {"code_injection", c.rec.CodeInjection}} {
			q := fmt.Sprintf(`%s | oauth_security_event_type=%q`, sel, f.eventType)
			got := lines(q, 1)
			assert.Len(t, got, 1, "%s: %s findings: %q", c.service, f.eventType, got)
			onRef := lines(fmt.Sprintf(`%s | trace_id=%q`, q, f.ref.TraceID), 1)
			assert.Len(t, onRef, 1, "%s: the %s finding is on the record the client named", c.service, f.eventType)
		}
		// The finding records carry the contract's event names.
		names := lines(sel+` | event_name=~"oauth_refresh_token_reuse_detected|oauth_code_injection_attempt"`, 1)
		assert.Contains(t, names, "oauth_code_injection_attempt", c.service)
		// The app logs arrived too.
		lines(sel+` |= "oauth"`, 10)
	}
	// The Go client's reuse is a span: oauth_findings made its log record.
	goReuse := lines(fmt.Sprintf(`{service_name=%q} | event_name="oauth_refresh_token_reuse_detected"`, goService), 1)
	assert.Equal(t, []string{"oauth_refresh_token_reuse_detected"}, goReuse)
	// The Node client's refreshes are pino OAUTH_EVENT records: the agent
	// mapped them onto oauth.operation=refresh, and the reused one is
	// annotated in place (status rewritten to reuse_detected).
	reused := lines(fmt.Sprintf(`{service_name=%q} | type="OAUTH_EVENT" | operation="token_refresh_success" | oauth_status="reuse_detected"`, nodeService), 1)
	assert.Len(t, reused, 1, "node: the reused refresh record")
	lines(fmt.Sprintf(`{service_name=%q} | type="OAUTH_EVENT" | operation="token_refresh_success" | oauth_operation="refresh" | oauth_status="success"`, nodeService), flows*refreshes)
	// The pino SECURITY_EVENT the Node app reported.
	integ := lines(fmt.Sprintf(`{service_name=%q} | type="SECURITY_EVENT" | action="pkce_state_integrity_violation" | oauth_security_event_type="integrity_violation"`, nodeService), 1)
	assert.Len(t, integ, 1)
	lines(fmt.Sprintf(`{service_name=%q} | trace_id=%q | action="pkce_state_integrity_violation"`, nodeService, nodeRec.Integrity.TraceID), 1)

	// No raw secret in anything Loki stored (lines and structured metadata).
	for _, c := range []struct {
		service string
		rec     exampleRecord
	}{{goService, goRec}, {nodeService, nodeRec}} {
		all, got, err := s.lokiQuery(fmt.Sprintf(`{service_name=%q}`, c.service))
		require.NoError(t, err)
		require.NotEmpty(t, got)
		leaked := 0
		for _, secret := range c.rec.Secrets {
			if strings.Contains(all, secret) {
				leaked++
			}
		}
		assert.Zero(t, leaked, "%s: raw secrets in Loki (of %d used)", c.service, len(c.rec.Secrets))
		assert.Contains(t, all, "fp:", "%s: secrets are stored as fingerprints", c.service)
	}
}

// nodeTools finds node and npm: absent, the test skips, unless
// OTELCOL_OAUTH_REQUIRE_TOOLS is set (make test-e2e), when it fails.
func nodeTools(t *testing.T) (node, npm string) {
	t.Helper()
	var missing []string
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	npm, err = exec.LookPath("npm")
	if err != nil {
		missing = append(missing, "npm")
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%s not on PATH: the Node.js example client (examples/node-client) needs Node.js 20+ and npm", strings.Join(missing, " and "))
		if os.Getenv("OTELCOL_OAUTH_REQUIRE_TOOLS") != "" {
			t.Fatal(msg + " (OTELCOL_OAUTH_REQUIRE_TOOLS is set)")
		}
		t.Skip(msg + "; skipping (set OTELCOL_OAUTH_REQUIRE_TOOLS to make this a failure)")
	}
	return node, npm
}

// npmCI installs the example's locked dependencies with `npm ci`, unless
// node_modules already holds them (npm writes node_modules/.package-lock.json
// last: newer than package-lock.json means installed from this lock).
func npmCI(t *testing.T, npm, dir string) {
	t.Helper()
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	require.NoError(t, err)
	if inst, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !inst.ModTime().Before(lock.ModTime()) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefer-offline")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm ci in %s:\n%s", dir, out)
}

// runExample runs an example client to completion; its last argument is
// the record flag, given a file here. The clients print no secret.
func runExample(t *testing.T, name, dir, bin string, args ...string) exampleRecord {
	t.Helper()
	recFile := filepath.Join(t.TempDir(), name+".json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, recFile)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s:\n%s", name, out)
	t.Logf("%s: %s", name, strings.TrimSpace(string(out)))
	raw, err := os.ReadFile(recFile)
	require.NoError(t, err)
	var rec exampleRecord
	require.NoError(t, json.Unmarshal(raw, &rec))
	return rec
}
