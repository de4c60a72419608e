//go:build e2e

// Package e2e runs the distribution end to end with the real systems its users
// run: Prometheus (Debian's package) scraping the gateway, Loki (built from its
// Go module by scripts/loki.sh) receiving its logs over OTLP, and the OTel Go
// SDK sending OAuth telemetry over OTLP/gRPC with TLS. `make test-e2e`
// installs and builds what is missing; alone, the tests skip when a tool is
// absent unless OTELCOL_OAUTH_REQUIRE_TOOLS is set.
package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// installedBy is what installs the external tools these tests need.
const installedBy = "make test-e2e"

// tools finds Loki and Prometheus (skipping, or failing under
// OTELCOL_OAUTH_REQUIRE_TOOLS, when one is missing) and the collector binary.
func tools(t *testing.T) (promBin, collector string) {
	t.Helper()
	testutil.Tool(t, "loki", "OTELCOL_OAUTH_LOKI_BIN", installedBy)
	return testutil.Tool(t, "prometheus", "", installedBy), testutil.BinaryPath(t)
}

// Timeouts for a process to answer its readiness endpoint.
const (
	lokiReady    = 120 * time.Second
	processReady = 60 * time.Second
)

// eventually retries check every 500 ms, at most attempts times, and fails
// with the last error.
func eventually(t *testing.T, attempts int, what string, check func() error) {
	t.Helper()
	var err error
	for i := 0; i < attempts; i++ {
		if err = check(); err == nil {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}

func getJSON(base, path string, params url.Values, out any) error {
	resp, err := http.Get(base + path + "?" + params.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", path, resp.Status, body)
	}
	return json.Unmarshal(body, out)
}

// tlsEnv is the environment every collector here runs with: the fingerprint
// key, the listen host and the TLS files of testutil.TestCerts.
func tlsEnv(ca, cert, key string) []string {
	return []string{
		"OAUTH_FINGERPRINT_KEY=" + testutil.TestKey,
		"OTELCOL_OAUTH_HOST=127.0.0.1",
		"OTELCOL_OAUTH_TLS_CA=" + ca, "OTELCOL_OAUTH_TLS_CERT=" + cert, "OTELCOL_OAUTH_TLS_KEY=" + key,
	}
}

// withPorts writes a config file that moves the health_check extension and
// the collector's own metrics to the given ports, followed by extra.
func withPorts(t *testing.T, health, own int, extra string) string {
	t.Helper()
	return testutil.WriteConfig(t, fmt.Sprintf(`
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
%s`, health, own, extra))
}

// gatewayListeners is the config part that moves a gateway's OTLP/gRPC
// receiver and its prometheus exporter to the given ports and flushes the
// derived metrics every second.
func gatewayListeners(otlp, metrics int) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
connectors:
  oauth_span_metrics:
    flush_interval: 1s
exporters:
  prometheus:
    endpoint: 127.0.0.1:%d
`, otlp, metrics)
}

// agentListeners is the config part that moves an agent's OTLP receiver
// (gRPC and HTTP) to the given ports.
func agentListeners(grpc, http int) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
      http:
        endpoint: 127.0.0.1:%d
`, grpc, http)
}

var freePort = testutil.FreePort

// startAgentStack starts Loki, a gateway on the shipped config (OTLP/gRPC
// with mutual TLS, derived metrics flushed every second), an agent on the
// shipped config forwarding to it (OTLP/HTTP in, for apps), and Prometheus
// scraping the gateway, all on 127.0.0.1 and free ports. It returns the
// stack and the agent's OTLP/HTTP port.
func startAgentStack(t *testing.T) (*stack, int) {
	t.Helper()
	root := testutil.RepoRoot(t)
	promBin, collector := tools(t)

	loki := testutil.LaunchLoki(t, installedBy)

	env := tlsEnv(testutil.TestCerts(t))

	gwOTLP, gwMetrics, gwHealth := freePort(t), freePort(t), freePort(t)
	gw := testutil.StartProcess(t, "gateway", append(slicesClone(env),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
		fmt.Sprintf("OTELCOL_OAUTH_LOKI_ENDPOINT=%s/otlp", loki.URL),
	), collector, "--config", filepath.Join(root, "deploy", "gateway.yaml"), "--config", withPorts(t, gwHealth, freePort(t), gatewayListeners(gwOTLP, gwMetrics)))

	agentHTTP, agentHealth := freePort(t), freePort(t)
	agent := testutil.StartProcess(t, "agent", append(slicesClone(env),
		fmt.Sprintf("OTELCOL_OAUTH_FORWARD_ENDPOINT=localhost:%d", gwOTLP),
		"OTELCOL_OAUTH_APP_LOGS="+filepath.Join(t.TempDir(), "*.log"),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
	), collector, "--config", filepath.Join(root, "deploy", "agent.yaml"), "--config", withPorts(t, agentHealth, freePort(t), agentListeners(freePort(t), agentHTTP)))

	promDir := t.TempDir()
	promPort := freePort(t)
	promCfg := filepath.Join(promDir, "prometheus.yaml")
	require.NoError(t, os.WriteFile(promCfg, []byte(fmt.Sprintf(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: otelcol-oauth-gateway
    static_configs:
      - targets: ["127.0.0.1:%d"]
`, gwMetrics)), 0o600))
	prom := testutil.StartProcess(t, "prometheus", nil, promBin,
		"--config.file="+promCfg,
		"--storage.tsdb.path="+filepath.Join(promDir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	promURL := fmt.Sprintf("http://127.0.0.1:%d", promPort)

	loki.WaitReady()
	gw.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", gwHealth), processReady)
	agent.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", agentHealth), processReady)
	prom.WaitHTTP(promURL+"/-/ready", processReady)
	return &stack{prom: promURL, loki: loki.URL}, agentHTTP
}
