//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// securityCollector is one run of the binary with oauth_security keeping its
// state in file_storage under stateDir, and spans and finding logs written
// by file exporters under outDir.
type securityCollector struct {
	col        *testutil.Collector
	otlpPort   int
	tracesFile string
	logsFile   string
}

const securityCheckpoint = time.Second

func startSecurityCollector(t *testing.T, stateDir string, storageID string) *securityCollector {
	t.Helper()
	out := t.TempDir()
	sc := &securityCollector{
		otlpPort:   testutil.FreePort(t),
		tracesFile: filepath.Join(out, "traces.jsonl"),
		logsFile:   filepath.Join(out, "logs.jsonl"),
	}
	health := testutil.FreePort(t)
	cfg := fmt.Sprintf(`
extensions:
  # The one fingerprint key of this collector (contract section 3);
  # oauth_redact and oauth_security read it from here.
  oauth_fingerprint:
    key: ${env:OAUTH_FINGERPRINT_KEY}
  health_check:
    endpoint: localhost:%d
  file_storage/security:
    directory: %s
receivers:
  otlp:
    protocols:
      http:
        endpoint: localhost:%d
processors:
  oauth_security:
    fingerprint: oauth_fingerprint
    storage: %s
    checkpoint_interval: %s
connectors:
  oauth_findings: {}
exporters:
  file/traces:
    path: %s
    flush_interval: 100ms
  file/logs:
    path: %s
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  extensions: [health_check, file_storage/security, oauth_fingerprint]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [oauth_security]
      exporters: [file/traces, oauth_findings]
    logs/findings:
      receivers: [oauth_findings]
      exporters: [file/logs]
`, health, stateDir, sc.otlpPort, storageID, securityCheckpoint, sc.tracesFile, sc.logsFile)
	sc.col = testutil.Start(t, testutil.WriteConfig(t, cfg))
	if storageID == "file_storage/security" {
		sc.col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", health), 60*time.Second)
	}
	return sc
}

// sendRefresh posts one successful server-side refresh span over OTLP/HTTP.
func (sc *securityCollector) sendRefresh(t *testing.T, trace byte, token string) {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "auth-server")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("POST /token")
	sp.SetTraceID(pcommon.TraceID{trace, 0xaa, 1})
	sp.SetSpanID(pcommon.SpanID{trace, 1})
	sp.SetKind(ptrace.SpanKindServer)
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-20 * time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	sp.Attributes().PutStr(contract.AttrRefreshToken, token)
	sp.Attributes().PutStr(contract.AttrEnduserID, "alice")
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	resp, err := http.Post(fmt.Sprintf("http://localhost:%d/v1/traces", sc.otlpPort), "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// span waits for the exported span of a trace and returns its attributes.
func (sc *securityCollector) span(t *testing.T, trace byte) pcommon.Map {
	t.Helper()
	want := pcommon.TraceID{trace, 0xaa, 1}
	var found pcommon.Map
	require.Eventually(t, func() bool {
		for _, sp := range fileSpans(sc.tracesFile) {
			if sp.TraceID() == want {
				found = sp.Attributes()
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "span of trace %d not exported", trace)
	return found
}

func (sc *securityCollector) findingLogs(t *testing.T) []plog.LogRecord {
	t.Helper()
	return fileLogRecords(sc.logsFile)
}

func findingsOf(m pcommon.Map) []string {
	v, ok := m.Get(contract.AttrSecurityFindings)
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).AsString())
	}
	return out
}

func attrStr(m pcommon.Map, k string) string {
	v, _ := m.Get(k)
	return v.AsString()
}

// TestSecurityReuseDetectedAcrossRestart rotates a refresh token, restarts
// the collector (clean SIGTERM, or SIGKILL after more than one
// checkpoint_interval) and replays the old token: the replay is detected.
func TestSecurityReuseDetectedAcrossRestart(t *testing.T) {
	for _, mode := range []string{"sigterm", "sigkill"} {
		t.Run(mode, func(t *testing.T) {
			stateDir := t.TempDir()
			// A raw token (no oauth_redact in this pipeline): the processor
			// fingerprints it and never lets it out.
			raw := "rt-integration-raw-" + mode + "-0123456789"
			first := startSecurityCollector(t, stateDir, "file_storage/security")
			first.sendRefresh(t, 1, raw)
			a := first.span(t, 1)
			assert.Nil(t, findingsOf(a))
			fp := contract.NewFingerprinter(testutil.TestKey).Fingerprint(raw)
			assert.Equal(t, fp, attrStr(a, contract.AttrRefreshToken))

			switch mode {
			case "sigterm":
				require.NoError(t, first.col.Stop(30*time.Second))
			case "sigkill":
				time.Sleep(3 * securityCheckpoint)
				first.col.Kill()
			}
			assert.NotContains(t, first.col.Output(), raw)

			second := startSecurityCollector(t, stateDir, "file_storage/security")
			defer func() { require.NoError(t, second.col.Stop(30*time.Second)) }()
			second.sendRefresh(t, 2, fp) // the rotated-away token, replayed
			b := second.span(t, 2)
			assert.Equal(t, []string{contract.EventTokenReuse}, findingsOf(b))
			assert.Equal(t, contract.StatusReuseDetected, attrStr(b, contract.AttrStatus))
			assert.Equal(t, contract.ReasonReuseDetected, attrStr(b, contract.AttrReason))
			assert.Equal(t, contract.SeverityCritical, attrStr(b, contract.AttrSecuritySeverity))

			// The finding also reached the logs pipeline through oauth_findings.
			require.Eventually(t, func() bool { return len(second.findingLogs(t)) > 0 }, 30*time.Second, 100*time.Millisecond)
			lr := second.findingLogs(t)[0]
			assert.Equal(t, "oauth_refresh_token_reuse_detected", lr.Body().Str())
			assert.Equal(t, "oauth_refresh_token_reuse_detected", attrStr(lr.Attributes(), contract.AttrEventName))
			assert.Equal(t, contract.SourceDetected, attrStr(lr.Attributes(), contract.AttrFindingSource))
			assert.Equal(t, fp, attrStr(lr.Attributes(), contract.AttrRefreshToken))
			assert.Equal(t, pcommon.TraceID{2, 0xaa, 1}, lr.TraceID())

			for _, f := range []string{first.tracesFile, second.tracesFile, second.logsFile} {
				b, _ := os.ReadFile(f)
				assert.NotContains(t, string(b), raw, f)
			}
			assert.NotContains(t, second.col.Output(), raw)
		})
	}
}

func TestSecurityUnknownStorageFailsAtStart(t *testing.T) {
	sc := startSecurityCollector(t, t.TempDir(), "file_storage/missing")
	err := sc.col.Wait(60 * time.Second)
	require.Error(t, err, "the collector must not run without its storage")
	assert.True(t, strings.Contains(sc.col.Output(), "file_storage/missing"), "error names the storage id")
}
