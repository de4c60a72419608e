//go:build deploy

package deploy

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// testCerts writes a CA and one certificate (server and client use, for
// localhost and 127.0.0.1) signed by it, and returns the three file paths.
func testCerts(t *testing.T) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "otelcol-oauth test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)

	write := func(name, typ string, b []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), mode))
		return p
	}
	return write("ca.crt", "CERTIFICATE", caDER, 0o644),
		write("tls.crt", "CERTIFICATE", der, 0o644),
		write("tls.key", "EC PRIVATE KEY", keyDER, 0o600)
}

// deployEnv is the environment every shipped config reads, pointing at test
// certificates and temp directories.
func deployEnv(t *testing.T) []string {
	t.Helper()
	ca, cert, key := testCerts(t)
	return []string{
		"OAUTH_FINGERPRINT_KEY=" + testutil.TestKey,
		"OTELCOL_OAUTH_HOST=127.0.0.1",
		"OTELCOL_OAUTH_FORWARD_ENDPOINT=localhost:4317",
		"OTELCOL_OAUTH_GATEWAYS=localhost",
		"OTELCOL_OAUTH_LOKI_ENDPOINT=http://127.0.0.1:3100/otlp",
		"OTELCOL_OAUTH_TLS_CA=" + ca,
		"OTELCOL_OAUTH_TLS_CERT=" + cert,
		"OTELCOL_OAUTH_TLS_KEY=" + key,
		"OTELCOL_OAUTH_APP_LOGS=" + filepath.Join(t.TempDir(), "*.log"),
		"OTELCOL_OAUTH_STORAGE_DIR=" + t.TempDir(),
		"OKTA_ORG_URL=https://example.okta.com",
		"OKTA_API_TOKEN=okta-token-for-validation",
		"AUTH0_TENANT_URL=https://example.eu.auth0.com",
		"AUTH0_CLIENT_ID=auth0-client-for-validation",
		"AUTH0_CLIENT_SECRET=auth0-secret-for-validation",
		"AUTH0_LOG_STREAM_AUTHORIZATION=Bearer auth0-stream-token-for-validation",
		"KEYCLOAK_URL=https://sso.example.com",
		"KEYCLOAK_REALM=acme",
		"KEYCLOAK_CLIENT_ID=keycloak-client-for-validation",
		"KEYCLOAK_CLIENT_SECRET=keycloak-secret-for-validation",
	}
}

func validate(t *testing.T, config string, env []string) (string, error) {
	t.Helper()
	cmd := exec.Command(testutil.BinaryPath(t), "validate", "--config", config)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// shippedConfigs are every collector config the repository ships, with the
// container config's secret path pointed at a test key file.
func shippedConfigs(t *testing.T) map[string]string {
	t.Helper()
	root := repoRoot()
	configs := map[string]string{
		"otelcol-config.yaml":      filepath.Join(root, "otelcol-config.yaml"),
		"deploy/agent.yaml":        filepath.Join(root, "deploy", "agent.yaml"),
		"deploy/loadbalancer.yaml": filepath.Join(root, "deploy", "loadbalancer.yaml"),
		"deploy/gateway.yaml":      filepath.Join(root, "deploy", "gateway.yaml"),
		"deploy/okta.yaml":         filepath.Join(root, "deploy", "okta.yaml"),
		"deploy/auth0.yaml":        filepath.Join(root, "deploy", "auth0.yaml"),
		"deploy/keycloak.yaml":     filepath.Join(root, "deploy", "keycloak.yaml"),
	}
	// Every YAML directly under deploy/ is a collector config and is listed.
	entries, err := filepath.Glob(filepath.Join(root, "deploy", "*.yaml"))
	require.NoError(t, err)
	for _, e := range entries {
		rel := "deploy/" + filepath.Base(e)
		if rel == "deploy/container-config.yaml" {
			continue
		}
		require.Contains(t, configs, rel, "a config under deploy/ that the test does not validate")
	}

	keyFile := filepath.Join(t.TempDir(), "fingerprint-key")
	require.NoError(t, os.WriteFile(keyFile, []byte("Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktMDEyMzQ1Njc4OWFiY2RlZg==\n"), 0o600))
	raw, err := os.ReadFile(filepath.Join(root, "deploy", "container-config.yaml"))
	require.NoError(t, err)
	const secret = "/etc/otelcol-oauth/secrets/fingerprint-key"
	require.Contains(t, string(raw), secret)
	cc := filepath.Join(t.TempDir(), "container-config.yaml")
	require.NoError(t, os.WriteFile(cc, []byte(strings.ReplaceAll(string(raw), secret, keyFile)), 0o600))
	configs["deploy/container-config.yaml"] = cc
	return configs
}

func TestShippedConfigsValidate(t *testing.T) {
	env := deployEnv(t)
	for name, path := range shippedConfigs(t) {
		t.Run(name, func(t *testing.T) {
			out, err := validate(t, path, env)
			assert.NoError(t, err, "otelcol-oauth validate --config %s:\n%s", name, out)
		})
	}
}

// validate really checks: without the key, or with TLS files missing from the
// config, the configs are refused.
func TestShippedConfigsNeedKeyAndTLS(t *testing.T) {
	env := deployEnv(t)
	configs := shippedConfigs(t)
	for _, name := range []string{"deploy/agent.yaml", "deploy/gateway.yaml", "deploy/loadbalancer.yaml"} {
		var noKey []string
		for _, e := range env {
			if !strings.HasPrefix(e, "OAUTH_FINGERPRINT_KEY=") {
				noKey = append(noKey, e)
			}
		}
		out, err := validate(t, configs[name], append(noKey, "OAUTH_FINGERPRINT_KEY="))
		assert.Error(t, err, "%s validates without a fingerprint key", name)
		assert.Contains(t, out, "oauth_fingerprint", name)
	}
	for _, name := range []string{"deploy/gateway.yaml", "deploy/loadbalancer.yaml"} {
		out, err := validate(t, configs[name], append(env, "OTELCOL_OAUTH_TLS_KEY="))
		assert.Error(t, err, "%s validates without a TLS key", name)
		assert.Contains(t, out, "tls", name)
	}
}

// The agent's file_log operators and transform map Pino and slog lines onto
// the contract (section 6), and redaction fingerprints a token in them. The
// shipped agent config runs as it is; a second config file only moves its
// listeners to free ports and sends logs to a file instead of the tier.
func TestAgentMapsAppLogs(t *testing.T) {
	env := deployEnv(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "app.log")
	require.NoError(t, os.WriteFile(logFile, nil, 0o600))
	outFile := filepath.Join(dir, "out.json")
	health := testutil.FreePort(t)
	override := testutil.WriteConfig(t, fmt.Sprintf(`
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
      http:
        endpoint: 127.0.0.1:%d
  file_log/app:
    start_at: beginning
    poll_interval: 50ms
exporters:
  file/out:
    path: %s
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      exporters: [file/out]
`, health, testutil.FreePort(t), testutil.FreePort(t), outFile))
	startCollector(t, []string{
		"--config", filepath.Join(repoRoot(), "deploy", "agent.yaml"),
		"--config", override,
	}, append(env, "OTELCOL_OAUTH_APP_LOGS="+logFile), fmt.Sprintf("http://127.0.0.1:%d/", health))

	const refresh = "rt_live_0123456789abcdefghijklmnop"
	lines := []string{
		// Pino, pluggedin-style: numeric time and level.
		`{"level":30,"time":1767225600123,"pid":7,"hostname":"app-1","type":"OAUTH_EVENT","operation":"token_refresh_success","clientId":"client-a","userId":"user-1","msg":"token refreshed"}`,
		`{"level":50,"time":1767225600456,"type":"SECURITY_EVENT","action":"oauth_refresh_token_reuse_detected","clientId":"client-a","userId":"user-1","refresh_token":"` + refresh + `","msg":"refresh token reuse"}`,
		`{"level":40,"time":1767225600789,"type":"OAUTH_EVENT","operation":"token_refresh_ownership_failed","clientId":"client-b","msg":"not yours"}`,
		// slog JSON handler with an "oauth" group.
		`{"time":"2026-01-01T00:00:01.5Z","level":"WARN","msg":"refresh failed","oauth":{"operation":"refresh","status":"failure","reason":"no_record","client_id":"client-c"}}`,
	}
	f, err := os.OpenFile(logFile, os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	var records []map[string]any
	for i := 0; i < 300 && len(records) < len(lines); i++ {
		records = readLogRecords(t, outFile)
		if len(records) < len(lines) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	require.Len(t, records, len(lines), "log records written by the agent")

	raw, err := os.ReadFile(outFile)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), refresh, "the raw refresh token left the agent")

	byBody := map[string]map[string]any{}
	for _, r := range records {
		byBody[fmt.Sprint(r["_body"])] = r
	}
	ok := byBody["token refreshed"]
	require.NotNil(t, ok, "records: %v", records)
	assert.Equal(t, "refresh", ok["oauth.operation"])
	assert.Equal(t, "success", ok["oauth.status"])
	assert.Equal(t, "client-a", ok["oauth.client_id"])
	assert.Equal(t, "user-1", ok["enduser.id"])
	assert.Equal(t, "INFO", ok["_severity_text"])
	assert.Equal(t, "1767225600123000000", ok["_time"])

	reuse := byBody["refresh token reuse"]
	require.NotNil(t, reuse)
	assert.Equal(t, "SECURITY_EVENT", reuse["type"])
	assert.Equal(t, "oauth_refresh_token_reuse_detected", reuse["action"])
	assert.True(t, strings.HasPrefix(fmt.Sprint(reuse["refresh_token"]), "fp:"), "refresh_token is %v", reuse["refresh_token"])
	assert.Equal(t, "ERROR", reuse["_severity_text"])

	own := byBody["not yours"]
	require.NotNil(t, own)
	assert.Equal(t, "refresh", own["oauth.operation"])
	assert.Equal(t, "failure", own["oauth.status"])
	assert.Equal(t, "ownership_failed", own["oauth.reason"])
	assert.Equal(t, "client-b", own["oauth.client_id"])

	sl := byBody["refresh failed"]
	require.NotNil(t, sl)
	assert.Equal(t, "refresh", sl["oauth.operation"])
	assert.Equal(t, "failure", sl["oauth.status"])
	assert.Equal(t, "no_record", sl["oauth.reason"])
	assert.Equal(t, "client-c", sl["oauth.client_id"])
	assert.Equal(t, "WARN", sl["_severity_text"])
	assert.Equal(t, "1767225601500000000", sl["_time"])
	for _, r := range records {
		assert.NotContains(t, r, "time", "the parsed time stays an attribute")
		assert.NotContains(t, r, "level", "the parsed level stays an attribute")
		assert.NotContains(t, r, "msg", "msg is the body")
	}
}

// startCollector runs the binary with args until the test ends and waits for
// its health check.
func startCollector(t *testing.T, args, env []string, healthURL string) {
	t.Helper()
	cmd := exec.Command(testutil.BinaryPath(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out strings.Builder
	var mu sync.Mutex
	cmd.Stdout = writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	output := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("collector output:\n%s", output())
		}
	})
	for i := 0; i < 600; i++ {
		select {
		case <-done:
			t.Fatalf("collector exited:\n%s", output())
		default:
		}
		if resp, err := http.Get(healthURL); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("collector not healthy at %s:\n%s", healthURL, output())
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// readLogRecords flattens the file exporter's OTLP/JSON lines into one map per
// record: its string attributes plus _body, _severity_text and _time.
func readLogRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	type kv struct {
		Key   string `json:"key"`
		Value struct {
			StringValue *string `json:"stringValue"`
		} `json:"value"`
	}
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var doc struct {
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						TimeUnixNano string `json:"timeUnixNano"`
						SeverityText string `json:"severityText"`
						Body         struct {
							StringValue string `json:"stringValue"`
						} `json:"body"`
						Attributes []kv `json:"attributes"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		if json.Unmarshal(sc.Bytes(), &doc) != nil {
			continue // a line still being written
		}
		for _, rl := range doc.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					m := map[string]any{"_body": lr.Body.StringValue, "_severity_text": lr.SeverityText, "_time": lr.TimeUnixNano}
					for _, a := range lr.Attributes {
						if a.Value.StringValue != nil {
							m[a.Key] = *a.Value.StringValue
						}
					}
					out = append(out, m)
				}
			}
		}
	}
	return out
}
