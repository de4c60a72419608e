//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// The two keys of a rotation (test keys, never production ones).
const (
	rotK1 = "rotation-key-one-0123456789abcdef0123"
	rotK2 = "rotation-key-two-0123456789abcdef0123"
)

// rotNode is one collector of a rotation test: a gateway (oauth_redact,
// oauth_security with file_storage, spans to a file) or an agent
// (oauth_redact, spans over OTLP/HTTP to next).
type rotNode struct {
	col      *testutil.Collector
	otlpPort int
	traces   string
}

// startRotNode starts a node on key with previous keys; a gateway keeps its
// state in stateDir, an agent forwards to the OTLP/HTTP port next.
func startRotNode(t *testing.T, key string, previous []string, stateDir string, next int) *rotNode {
	t.Helper()
	n := &rotNode{otlpPort: testutil.FreePort(t), traces: filepath.Join(t.TempDir(), "traces.jsonl")}
	health := testutil.FreePort(t)
	prev := "[]"
	if len(previous) > 0 {
		prev = "[" + strings.Join(previous, ", ") + "]"
	}
	processors, exporter, exporters, extensions := "[oauth_redact, oauth_security]", fmt.Sprintf(`
  file/traces:
    path: %s
    flush_interval: 100ms`, n.traces), "[file/traces]", "[health_check, oauth_fingerprint, file_storage/state]"
	if stateDir == "" {
		processors, exporters, extensions = "[oauth_redact]", "[otlp_http/next]", "[health_check, oauth_fingerprint]"
		exporter = fmt.Sprintf(`
  otlp_http/next:
    endpoint: http://localhost:%d
    retry_on_failure:
      initial_interval: 100ms`, next)
		stateDir = t.TempDir()
	}
	cfg := fmt.Sprintf(`
extensions:
  oauth_fingerprint:
    key: %s
    previous_keys: %s
  health_check:
    endpoint: localhost:%d
  file_storage/state:
    directory: %s
receivers:
  otlp:
    protocols:
      http:
        endpoint: localhost:%d
processors:
  oauth_redact:
    fingerprint: oauth_fingerprint
  oauth_security:
    fingerprint: oauth_fingerprint
    storage: file_storage/state
    checkpoint_interval: 1s
exporters:%s
service:
  telemetry:
    metrics:
      level: none
  extensions: %s
  pipelines:
    traces:
      receivers: [otlp]
      processors: %s
      exporters: %s
`, key, prev, health, stateDir, n.otlpPort, exporter, extensions, processors, exporters)
	n.col = testutil.Start(t, testutil.WriteConfig(t, cfg))
	n.col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", health), 60*time.Second)
	return n
}

// refresh posts a successful server refresh presenting the raw token.
func (n *rotNode) refresh(t *testing.T, trace byte, token string) {
	t.Helper()
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{trace, 0xcc, 2})
	sp.SetSpanID(pcommon.SpanID{trace, 2})
	sp.SetKind(ptrace.SpanKindServer)
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-10 * time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	sp.Attributes().PutStr(contract.AttrRefreshToken, token)
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	resp, err := http.Post(fmt.Sprintf("http://localhost:%d/v1/traces", n.otlpPort), "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// span waits for the span of trace in the gateway's output.
func (n *rotNode) span(t *testing.T, trace byte) pcommon.Map {
	t.Helper()
	want := pcommon.TraceID{trace, 0xcc, 2}
	var found pcommon.Map
	require.Eventually(t, func() bool {
		for _, sp := range fileSpans(n.traces) {
			if sp.TraceID() == want {
				found = sp.Attributes()
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "span of trace %d not exported", trace)
	return found
}

func (n *rotNode) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, n.col.Stop(30*time.Second))
	for _, k := range []string{rotK1, rotK2} {
		assert.NotContains(t, n.col.Output(), k, "a key reached the collector's log")
	}
}

// checkReplay asserts the replay span: flagged once, no previous-key
// fingerprint and no raw token in it.
func checkReplay(t *testing.T, attrs pcommon.Map, raw string, wantFlag bool) {
	t.Helper()
	if wantFlag {
		assert.Equal(t, []string{contract.EventTokenReuse}, findingsOf(attrs))
		assert.Equal(t, contract.StatusReuseDetected, attrStr(attrs, contract.AttrStatus))
	} else {
		assert.Nil(t, findingsOf(attrs))
	}
	_, carried := attrs.Get(contract.AttrPreviousFingerprints)
	assert.False(t, carried, "previous-key fingerprints reached the backend")
	assert.True(t, contract.IsFingerprint(attrStr(attrs, contract.AttrRefreshToken)))
	assert.NotContains(t, attrStr(attrs, contract.AttrRefreshToken), raw)
}

// TestKeyRotationOneCollector: a refresh token used under K1, a restart on
// K2 with K1 listed as previous: the replay is a token_reuse, once. Without
// K1 listed the history is lost: the control that shows the rotation is
// what finds it.
func TestKeyRotationOneCollector(t *testing.T) {
	for _, listed := range []bool{true, false} {
		t.Run(fmt.Sprintf("previous_listed=%v", listed), func(t *testing.T) {
			state := t.TempDir()
			raw := fmt.Sprintf("rt-rotation-single-%v-0123456789", listed)
			gw := startRotNode(t, rotK1, nil, state, 0)
			gw.refresh(t, 1, raw)
			assert.Nil(t, findingsOf(gw.span(t, 1)))
			gw.stop(t)

			var prev []string
			if listed {
				prev = []string{rotK1}
			}
			gw = startRotNode(t, rotK2, prev, state, 0)
			gw.refresh(t, 2, raw)
			checkReplay(t, gw.span(t, 2), raw, listed)
			gw.refresh(t, 3, raw) // after the first replay, it is known under K2
			assert.Equal(t, []string{contract.EventTokenReuse}, findingsOf(gw.span(t, 3)))
			gw.stop(t)
		})
	}
}

// TestKeyRotationAgentAndGateway rolls an agent and its gateway from K1 to
// K2 (K1 listed as previous) in either order: the replay of a token first
// used before the rotation is flagged once.
func TestKeyRotationAgentAndGateway(t *testing.T) {
	for _, first := range []string{"gateway", "agent"} {
		t.Run(first+"_first", func(t *testing.T) {
			state := t.TempDir()
			raw := "rt-rotation-tiers-" + first + "-0123456789"
			gw := startRotNode(t, rotK1, nil, state, 0)
			agent := startRotNode(t, rotK1, nil, "", gw.otlpPort)
			agent.refresh(t, 1, raw)
			assert.Nil(t, findingsOf(gw.span(t, 1)))

			// Roll one tier to K2 with K1 as previous; the other stays on K1.
			if first == "gateway" {
				gw.stop(t)
				gw = startRotNode(t, rotK2, []string{rotK1}, state, 0)
				agent.stop(t)
				agent = startRotNode(t, rotK1, nil, "", gw.otlpPort)
			} else {
				agent.stop(t)
				agent = startRotNode(t, rotK2, []string{rotK1}, "", gw.otlpPort)
			}
			agent.refresh(t, 2, raw)
			checkReplay(t, gw.span(t, 2), raw, true)
			agent.stop(t)
			gw.stop(t)
		})
	}
}

// TestTwoDeprecatedKeysRefused: two components with different
// fingerprint_key values: the collector refuses to start and names both.
func TestTwoDeprecatedKeysRefused(t *testing.T) {
	health := testutil.FreePort(t)
	cfg := fmt.Sprintf(`
extensions:
  health_check:
    endpoint: localhost:%d
receivers:
  otlp:
    protocols:
      http:
        endpoint: localhost:%d
processors:
  oauth_redact:
    fingerprint_key: %s
  oauth_security:
    fingerprint_key: %s
exporters:
  debug: {}
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [oauth_redact, oauth_security]
      exporters: [debug]
`, health, testutil.FreePort(t), rotK1, rotK2)
	col := testutil.Start(t, testutil.WriteConfig(t, cfg))
	require.Error(t, col.Wait(60*time.Second), "the collector must refuse to start")
	out := col.Output()
	assert.Contains(t, out, "components fingerprint with different keys")
	assert.Contains(t, out, "oauth_redact")
	assert.Contains(t, out, "oauth_security")
	assert.Contains(t, out, "deprecated", "the deprecation warning names the extension")
	for _, k := range []string{rotK1, rotK2} {
		assert.NotContains(t, out, k, "a key was printed")
	}
}
