package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Tool finds an external program: $envVar, else PATH. When it is missing the
// test is skipped, or fails when OTELCOL_OAUTH_REQUIRE_TOOLS is set (the
// Makefile targets that install the tools set it).
func Tool(t testing.TB, name, envVar, installedBy string) string {
	t.Helper()
	if envVar != "" {
		if p := os.Getenv(envVar); p != "" {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not found (set %s or run `%s`, which installs it)", name, envVar, installedBy)
		if os.Getenv("OTELCOL_OAUTH_REQUIRE_TOOLS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// Loki is a single-binary Loki on the shipped deploy/loki/loki.yaml, on
// 127.0.0.1 and free ports, with its data in a test temp dir. Stop and
// Start again keep the data and the ports: an outage.
type Loki struct {
	URL                string // http://127.0.0.1:PORT
	bin, dir           string
	httpPort, grpcPort int
	t                  testing.TB
	proc               *Process
}

// StartLoki starts Loki ($OTELCOL_OAUTH_LOKI_BIN, else loki on PATH; see
// scripts/loki.sh) and waits until it is ready.
func StartLoki(t testing.TB, installedBy string) *Loki {
	t.Helper()
	l := LaunchLoki(t, installedBy)
	l.WaitReady()
	return l
}

// LaunchLoki starts Loki as StartLoki does but returns at once, so that other
// processes can start while it gets ready; call WaitReady before using it.
func LaunchLoki(t testing.TB, installedBy string) *Loki {
	t.Helper()
	l := &Loki{
		bin: Tool(t, "loki", "OTELCOL_OAUTH_LOKI_BIN", installedBy), dir: t.TempDir(),
		httpPort: FreePort(t), grpcPort: FreePort(t), t: t,
	}
	l.URL = fmt.Sprintf("http://127.0.0.1:%d", l.httpPort)
	l.launch()
	return l
}

// Start (re)starts the process on the same data and ports.
func (l *Loki) Start() {
	l.t.Helper()
	l.launch()
	l.WaitReady()
}

func (l *Loki) launch() {
	l.t.Helper()
	l.proc = StartProcess(l.t, "loki", []string{
		"LOKI_DATA_DIR=" + l.dir,
		fmt.Sprintf("LOKI_HTTP_PORT=%d", l.httpPort),
		fmt.Sprintf("LOKI_GRPC_PORT=%d", l.grpcPort),
	}, l.bin, "-config.file="+filepath.Join(RepoRoot(l.t), "deploy", "loki", "loki.yaml"), "-config.expand-env=true")
}

// WaitReady waits, for at most 120 s, until Loki answers /ready.
func (l *Loki) WaitReady() {
	l.t.Helper()
	l.proc.WaitHTTP(l.URL+"/ready", 120*time.Second)
}

// Stop stops Loki with SIGTERM (SIGKILL after 30 s).
func (l *Loki) Stop() { l.proc.Stop(30 * time.Second) }
