//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// paramSecrets plants one distinct fake secret per contract v2 parameter,
// position and signal, and remembers each.
type paramSecrets struct {
	n   int
	all []string
}

func (p *paramSecrets) next() string {
	p.n++
	return p.keep(fmt.Sprintf("Rp%03dq7Wv3Xt5Yr1Us8Tp2Vq", p.n))
}

func (p *paramSecrets) keep(s string) string {
	p.all = append(p.all, s)
	return s
}

// fill puts every secret parameter of the contract in every position that
// takes it into m (attribute values) and returns the free-text lines.
func (p *paramSecrets) fill(m pcommon.Map) []string {
	var text []string
	for _, n := range contract.SecretParams {
		m.PutStr("url.full."+n, "https://as.example/cb?client_id=web&"+n+"="+p.next()+"&scope=openid")
		m.PutStr("url.fragment."+n, "https://app.example/cb#"+n+"="+p.next()+"&token_type=bearer")
		m.PutStr("http.request.body."+n, "grant_type=x&"+n+"="+p.next()+"&client_id=web")
		m.PutStr("http.response.body."+n, `{"`+n+`":"`+p.next()+`","expires_in":3600}`)
		m.PutStr("oauth."+n, p.next())
		if contract.IsSecretKey(n) {
			m.PutStr(n, p.next())
		}
		text = append(text, "POST /token?"+n+"="+p.next()+" 400")
	}
	for _, k := range contract.TokenIdentifierKeys {
		m.PutStr(k, p.next())
	}
	m.PutStr("url.userinfo", "https://client:"+p.next()+"@as.example/token")
	p.n++
	ory := p.keep(fmt.Sprintf("ory_rt_%03dLk9Qz7Wv3Xt5Yr1Us8Tp2Vq.c2lnbmF0dXJlLUxrOVF6N1d2M1h0", p.n))
	return append(text, "refresh with "+ory+" failed")
}

func redactParamsConfig(otlp, health int, out string) string {
	return fmt.Sprintf(`
extensions:
  # The one fingerprint key of this collector (contract section 3);
  # oauth_redact and oauth_security read it from here.
  oauth_fingerprint:
    key: ${env:OAUTH_FINGERPRINT_KEY}
  health_check:
    endpoint: localhost:%d
receivers:
  otlp:
    protocols:
      http:
        endpoint: localhost:%d
processors:
  oauth_redact:
    fingerprint: oauth_fingerprint
exporters:
  file/traces:
    path: %[3]s/traces.jsonl
    flush_interval: 100ms
  file/logs:
    path: %[3]s/logs.jsonl
    flush_interval: 100ms
  file/metrics:
    path: %[3]s/metrics.jsonl
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  extensions: [health_check, oauth_fingerprint]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [oauth_redact]
      exporters: [file/traces]
    logs:
      receivers: [otlp]
      processors: [oauth_redact]
      exporters: [file/logs]
    metrics:
      receivers: [otlp]
      processors: [oauth_redact]
      exporters: [file/metrics]
`, health, otlp, out)
}

func postOTLP(t *testing.T, port int, path string, body []byte) {
	t.Helper()
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d%s", port, path), "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, path)
}

// TestRedactEveryParamAllSignals: the real binary with oauth_redact's
// defaults, every contract v2 secret parameter in its positions (URL query
// and fragment, form body, JSON member, attribute key, free text), the
// token identifiers, URL userinfo and an Ory token, over traces, logs and
// metrics: the file exporters' output holds no raw value and every
// fingerprint.
func TestRedactEveryParamAllSignals(t *testing.T) {
	out := t.TempDir()
	otlp, health := testutil.FreePort(t), testutil.FreePort(t)
	col := testutil.Start(t, testutil.WriteConfig(t, redactParamsConfig(otlp, health, out)))
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", health), 60*time.Second)

	var p paramSecrets
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	text := p.fill(span.Attributes())
	span.SetName(text[0])
	span.Status().SetMessage(strings.Join(text, "\n"))

	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	text = p.fill(lr.Attributes())
	lr.Body().SetStr(strings.Join(text, "\n"))

	md := pmetric.NewMetrics()
	dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	dp.SetName("oauth.requests")
	point := dp.SetEmptySum().DataPoints().AppendEmpty()
	point.SetIntValue(1)
	for i, line := range p.fill(point.Attributes()) {
		point.Attributes().PutStr(fmt.Sprintf("message.%d", i), line)
	}

	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	postOTLP(t, otlp, "/v1/traces", body)
	body, err = plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	postOTLP(t, otlp, "/v1/logs", body)
	body, err = pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	require.NoError(t, err)
	postOTLP(t, otlp, "/v1/metrics", body)

	files := []string{"traces.jsonl", "logs.jsonl", "metrics.jsonl"}
	read := func() string {
		var b strings.Builder
		for _, f := range files {
			raw, _ := os.ReadFile(filepath.Join(out, f))
			b.Write(raw)
		}
		return b.String()
	}
	fpr := contract.NewFingerprinter(testutil.TestKey)
	require.Eventually(t, func() bool {
		all := read()
		return strings.Contains(all, fpr.Fingerprint(p.all[0])) && strings.Contains(all, fpr.Fingerprint(p.all[len(p.all)-1]))
	}, 30*time.Second, 100*time.Millisecond, "the three signals reach the file exporters")
	require.NoError(t, col.Stop(30*time.Second))

	all := read()
	missing := 0
	for i, s := range p.all {
		if strings.Contains(all, s) {
			t.Errorf("secret #%d (%d bytes) leaked into the exported files", i, len(s))
		}
		if !strings.Contains(all, fpr.Fingerprint(s)) {
			missing++
		}
	}
	assert.Zero(t, missing, "fingerprints missing from the output, of %d planted", len(p.all))
	// the benign neighbours stay readable
	for _, v := range []string{"client_id=web", "scope=openid", "token_type=bearer", "grant_type=x", `\"expires_in\":3600`} {
		assert.Contains(t, all, v)
	}
	t.Logf("%d secrets over 3 signals, %d parameters: none leaked", len(p.all), len(contract.SecretParams))
}

// TestAgentHydraRequestLog: Ory Hydra v2.3.0 writes its request log as JSON
// (logrus), with the authorization code and state in
// http_response.headers.location and '&' escaped as \u0026. Tailed by the
// shipped agent's file_log (the slog route: an RFC 3339 "time"), the parsed
// record reaches the forward destination with code and state fingerprinted
// and the rest of the Location readable.
func TestAgentHydraRequestLog(t *testing.T) {
	agent := testutil.StartFileLogAgent(t, "hydra.log")
	col, sink, logFile := agent.Collector, agent.Sink, filepath.Join(agent.LogDir, "hydra.log")

	code := "ory_ac_" + "Zm9vYmFyYmF6cXV4LXF1dXgtY29ycmVjdA.c2lnbmF0dXJlLXBhcnQtMTIzNDU2Nzg"
	state := "St4" + "teValue9xKq2Lm8Np"
	line := `{"audience":"application","http_request":{"headers":{"accept":"text/html"},"host":"127.0.0.1:4444","method":"GET","path":"/oauth2/auth","remote":"127.0.0.1:50312","scheme":"http"},` +
		`"http_response":{"headers":{"cache-control":"no-store","location":"http://127.0.0.1:5555/callback?code=` + code + `\u0026scope=openid+offline\u0026state=` + state + `"},"size":0,"status":303,"text_status":"See Other","took":2345678},` +
		`"level":"info","msg":"completed handling request","service_name":"Ory Hydra","service_version":"v2.3.0","time":"` + time.Now().UTC().Format(time.RFC3339Nano) + `"}`
	time.Sleep(time.Second) // one file_log poll after start sees the file at its end
	f, err := os.OpenFile(logFile, os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	_, err = f.WriteString(line + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	var rec plog.LogRecord
	require.Eventually(t, func() bool {
		recs := sink.LogRecords()
		i := slices.IndexFunc(recs, func(r plog.LogRecord) bool { return r.Body().AsString() == "completed handling request" })
		if i >= 0 {
			rec = recs[i]
		}
		return i >= 0
	}, 30*time.Second, 200*time.Millisecond, "the Hydra line never reached the forward destination")
	require.NoError(t, col.Stop(30*time.Second))

	fpr := contract.NewFingerprinter(testutil.TestKey)
	resp, ok := rec.Attributes().Get("http_response")
	require.True(t, ok, "the JSON line is parsed into attributes")
	loc, ok := resp.Map().Get("headers")
	require.True(t, ok)
	location, ok := loc.Map().Get("location")
	require.True(t, ok)
	want := "http://127.0.0.1:5555/callback?code=" + fpr.Fingerprint(code) + "&scope=openid+offline&state=" + fpr.Fingerprint(state)
	if got := location.Str(); got != want {
		t.Errorf("location: got %q, want %q", strings.NewReplacer(code, "<CODE>", state, "<STATE>").Replace(got), want)
	}
	assert.Equal(t, "303", mustGet(t, resp.Map(), "status").AsString())
	assert.Equal(t, "INFO", rec.SeverityText())
	dump, out := sink.Dump(), col.Output()
	for _, s := range []string{code, state} {
		assert.False(t, strings.Contains(dump, s), "a raw secret (%d bytes) was forwarded", len(s))
		assert.False(t, strings.Contains(out, s), "a raw secret (%d bytes) is in the agent's log", len(s))
	}
}

func mustGet(t *testing.T, m pcommon.Map, k string) pcommon.Value {
	t.Helper()
	v, ok := m.Get(k)
	require.True(t, ok, k)
	return v
}
