// Package hydra runs a real Ory Hydra v2 (built by scripts/hydra.sh) for
// end-to-end tests and drives it as an OAuth client, a login and consent app
// and a resource server would, counting what it caused (Truth).
//
// Every endpoint, parameter and response field the driver uses is Hydra's
// or fosite's own (Hydra v2.3.0 and the fosite version its go.mod requires):
// the file that defines each is named where it is used. The driver never
// prints or logs a token, code, state, verifier or client secret: its
// errors carry HTTP statuses and OAuth error codes only, and the raw values
// leave it only as Secret, which prints as its kind.
package hydra

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// BinEnv names the environment variable with the Hydra binary
// (scripts/hydra.sh prints its path; `make test-e2e` sets it).
const BinEnv = "OTELCOL_OAUTH_HYDRA_BIN"

// Server is a running `hydra serve all --dev` on 127.0.0.1.
type Server struct {
	// PublicURL and AdminURL are http://127.0.0.1:PORT, without a trailing
	// slash.
	PublicURL, AdminURL string
	// ConfigYAML is the configuration file Hydra runs on.
	ConfigYAML string
	proc       *testutil.Process
}

// Start writes the configuration for otlpHTTP (host:port of an OTLP/HTTP
// receiver) on free loopback ports, starts bin with it and an in-memory
// database, and waits until Hydra is ready (GET /health/ready on both
// listeners). Hydra is killed at test cleanup if still running; Stop ends
// it cleanly before that.
func Start(t testing.TB, bin, otlpHTTP string) *Server {
	t.Helper()
	ports, err := testutil.FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{PublicPort: ports[0], AdminPort: ports[1], LoginPort: ports[2], OTLPHTTP: otlpHTTP}
	path := filepath.Join(t.TempDir(), "hydra.yaml")
	if err := os.WriteFile(path, []byte(cfg.YAML()), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	s := &Server{
		PublicURL:  fmt.Sprintf("http://127.0.0.1:%d", cfg.PublicPort),
		AdminURL:   fmt.Sprintf("http://127.0.0.1:%d", cfg.AdminPort),
		ConfigYAML: cfg.YAML(),
	}
	// --sqa-opt-out: no usage statistics sent to Ory (cmd/serve.go).
	s.proc = testutil.StartProcess(t, "hydra", []string{
		"SECRETS_SYSTEM=" + base64.RawURLEncoding.EncodeToString(secret),
		fmt.Sprintf("OTEL_BSP_SCHEDULE_DELAY=%d", batchDelay.Milliseconds()),
	},
		bin, "serve", "all", "--dev", "--sqa-opt-out", "--config", path)
	// /health/ready: x/healthx, mounted on both listeners.
	s.proc.WaitHTTP(s.AdminURL+"/health/ready", 60*time.Second)
	s.proc.WaitHTTP(s.PublicURL+"/health/ready", 10*time.Second)
	return s
}

// batchDelay is the OTel SDK's batch span processor delay Hydra runs with
// (OTEL_BSP_SCHEDULE_DELAY, read by go.opentelemetry.io/otel/sdk/trace; the
// SDK's default is 5 s): spans reach the collector within it.
const batchDelay = time.Second

// Stop ends Hydra cleanly after its last spans were exported. Hydra v2.3.0
// never shuts its tracer provider down (github.com/ory/x otelx.SetupOTLP
// builds it with sdktrace.WithBatcher and keeps no handle to flush it), so
// whatever is still batched at SIGTERM is lost: Stop first waits three
// batch delays, then sends SIGTERM and waits up to timeout for the exit.
func (s *Server) Stop(timeout time.Duration) error {
	time.Sleep(3 * batchDelay)
	return s.proc.Terminate(timeout)
}

// Output is what Hydra logged so far (leak_sensitive_values is false:
// Hydra redacts query strings and headers in its own logs).
func (s *Server) Output() string { return s.proc.Output() }
