//go:build e2e

// Package e2e runs the distribution end to end with the real systems its users
// run: Prometheus (Debian's package) scraping the gateway, Loki (built from its
// Go module by scripts/loki.sh) receiving its logs over OTLP, and the OTel Go
// SDK sending OAuth telemetry over OTLP/gRPC with TLS. `make test-e2e`
// installs and builds what is missing; alone, the tests skip when a tool is
// absent unless OTELCOL_OAUTH_REQUIRE_TOOLS is set.
package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// tool finds an external program: $envVar, else PATH.
func tool(t *testing.T, name, envVar string) string {
	t.Helper()
	if envVar != "" {
		if p := os.Getenv(envVar); p != "" {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not found (set %s or run `make test-e2e`, which installs it)", name, envVar)
		if os.Getenv("OTELCOL_OAUTH_REQUIRE_TOOLS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// process is a child process killed at test cleanup.
type process struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func start(t *testing.T, name string, env []string, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	require.NoError(t, p.cmd.Start(), name)
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			out := p.output()
			if len(out) > 20000 {
				out = "...\n" + out[len(out)-20000:]
			}
			t.Logf("%s output:\n%s", name, out)
		}
	})
	return p
}

// waitHTTP polls url until it answers 200, for at most attempts × 200 ms.
func (p *process) waitHTTP(t *testing.T, url string, attempts int) {
	t.Helper()
	for i := 0; i < attempts; i++ {
		select {
		case <-p.done:
			t.Fatalf("%s exited before %s answered", p.name, url)
		default:
		}
		if resp, err := http.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: %s not ready", p.name, url)
}

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

// testCerts writes a CA and a certificate for localhost / 127.0.0.1 (server
// and client use) signed by it.
func testCerts(t *testing.T) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "otelcol-oauth e2e CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600))
		return p
	}
	return write("ca.crt", "CERTIFICATE", caDER), write("tls.crt", "CERTIFICATE", der), write("tls.key", "EC PRIVATE KEY", keyDER)
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
	lokiBin := tool(t, "loki", "OTELCOL_OAUTH_LOKI_BIN")
	promBin := tool(t, "prometheus", "")
	collector := testutil.BinaryPath(t)

	lokiPort := freePort(t)
	loki := start(t, "loki", []string{
		"LOKI_DATA_DIR=" + t.TempDir(),
		fmt.Sprintf("LOKI_HTTP_PORT=%d", lokiPort),
		fmt.Sprintf("LOKI_GRPC_PORT=%d", freePort(t)),
	}, lokiBin, "-config.file="+filepath.Join(root, "deploy", "loki", "loki.yaml"), "-config.expand-env=true")
	lokiURL := fmt.Sprintf("http://127.0.0.1:%d", lokiPort)

	ca, cert, key := testCerts(t)
	tlsEnv := []string{
		"OAUTH_FINGERPRINT_KEY=" + testutil.TestKey,
		"OTELCOL_OAUTH_HOST=127.0.0.1",
		"OTELCOL_OAUTH_TLS_CA=" + ca, "OTELCOL_OAUTH_TLS_CERT=" + cert, "OTELCOL_OAUTH_TLS_KEY=" + key,
	}
	ports := func(health, own int, extra string) string {
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

	gwOTLP, gwMetrics, gwHealth := freePort(t), freePort(t), freePort(t)
	gw := start(t, "gateway", append(slicesClone(tlsEnv),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
		fmt.Sprintf("OTELCOL_OAUTH_LOKI_ENDPOINT=%s/otlp", lokiURL),
	), collector, "--config", filepath.Join(root, "deploy", "gateway.yaml"), "--config", ports(gwHealth, freePort(t), fmt.Sprintf(`receivers:
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
`, gwOTLP, gwMetrics)))

	agentHTTP, agentHealth := freePort(t), freePort(t)
	agent := start(t, "agent", append(slicesClone(tlsEnv),
		fmt.Sprintf("OTELCOL_OAUTH_FORWARD_ENDPOINT=localhost:%d", gwOTLP),
		"OTELCOL_OAUTH_APP_LOGS="+filepath.Join(t.TempDir(), "*.log"),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
	), collector, "--config", filepath.Join(root, "deploy", "agent.yaml"), "--config", ports(agentHealth, freePort(t), fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
      http:
        endpoint: 127.0.0.1:%d
`, freePort(t), agentHTTP)))

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
	prom := start(t, "prometheus", nil, promBin,
		"--config.file="+promCfg,
		"--storage.tsdb.path="+filepath.Join(promDir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	promURL := fmt.Sprintf("http://127.0.0.1:%d", promPort)

	loki.waitHTTP(t, lokiURL+"/ready", 600)
	gw.waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", gwHealth), 300)
	agent.waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", agentHealth), 300)
	prom.waitHTTP(t, promURL+"/-/ready", 300)
	return &stack{prom: promURL, loki: lokiURL}, agentHTTP
}
