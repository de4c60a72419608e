// Package testutil runs the real otelcol-oauth binary as a child process for
// integration, end-to-end and fault tests.
package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BinaryPath returns the collector binary: $OTELCOL_OAUTH_BIN, else
// bin/otelcol-oauth at the repository root. The test is skipped with a clear
// message when neither exists, so `go test ./...` works before `make build`;
// the Makefile's integration targets always set the variable.
func BinaryPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("OTELCOL_OAUTH_BIN")
	if p == "" {
		p = filepath.Join(RepoRoot(t), "bin", "otelcol-oauth")
		if _, err := os.Stat(p); err != nil {
			t.Skipf("collector binary not built (%s); run `make build` or set OTELCOL_OAUTH_BIN", p)
		}
		return p
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("OTELCOL_OAUTH_BIN=%s: %v", p, err)
	}
	return p
}

// RepoRoot returns the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
)

// FreePorts returns n TCP ports on 127.0.0.1 that were free a moment ago and
// that no earlier call in this process returned: the kernel may offer a
// just-closed port again, and two listeners of one config must not collide.
func FreePorts(n int) ([]int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	var out []int
	for tries := 0; len(out) < n; tries++ {
		if tries == 1000*n {
			return nil, fmt.Errorf("no unused free port after %d tries", tries)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !portsGiven[port] {
			portsGiven[port] = true
			out = append(out, port)
		}
	}
	return out, nil
}

// FreePort is FreePorts(1) for a test.
func FreePort(t testing.TB) int {
	t.Helper()
	ps, err := FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	return ps[0]
}

// TestKey is a fingerprint key for tests (never a production key).
const TestKey = "integration-test-key-0123456789abcdef"

// Collector is a running collector process: a Process named "collector"
// whose whole output is logged when the test failed.
type Collector struct {
	*Process
	Config string
}

// WriteConfig writes a config file into a test temp dir and returns its path.
func WriteConfig(t testing.TB, yaml string) string {
	t.Helper()
	p, err := WriteConfigIn(t.TempDir(), yaml)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// WriteConfigIn writes yaml as config.yaml into dir and returns its path.
func WriteConfigIn(dir, yaml string) (string, error) {
	p := filepath.Join(dir, "config.yaml")
	return p, os.WriteFile(p, []byte(yaml), 0o600)
}

// CollectorCmd is bin --config configPath with env entries added to the
// environment.
func CollectorCmd(bin, configPath string, env ...string) *exec.Cmd {
	cmd := exec.Command(bin, "--config", configPath)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// Start starts the binary with --config configPath. env entries are added to
// the environment; OAUTH_FINGERPRINT_KEY defaults to TestKey. The process is
// killed at test cleanup if still running.
func Start(t testing.TB, configPath string, env ...string) *Collector {
	t.Helper()
	cmd := CollectorCmd(BinaryPath(t), configPath, append([]string{"OAUTH_FINGERPRINT_KEY=" + TestKey}, env...)...)
	return &Collector{Process: startCmd(t, "collector", cmd, 0), Config: configPath}
}

// WaitHealthy polls url (a health_check endpoint) until it answers 200.
func (c *Collector) WaitHealthy(url string, timeout time.Duration) {
	c.t.Helper()
	if c.PollHTTP(url, timeout, 100*time.Millisecond) {
		return
	}
	if c.Exited() {
		c.t.Fatalf("collector exited before it was healthy: %v\n%s", c.ExitError(), c.Output())
	}
	c.t.Fatalf("collector not healthy at %s after %s\n%s", url, timeout, c.Output())
}

// Stop sends SIGTERM and returns the exit error (nil for exit 0).
func (c *Collector) Stop(timeout time.Duration) error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	return c.Wait(timeout)
}

// ErrorLines returns the log lines at error level.
func (c *Collector) ErrorLines() []string {
	var lines []string
	for _, l := range strings.Split(c.Output(), "\n") {
		if strings.Contains(l, "\terror\t") || strings.Contains(l, `"level":"error"`) {
			lines = append(lines, l)
		}
	}
	return lines
}

var localPortRe = regexp.MustCompile(`(localhost|127\.0\.0\.1):(\d{2,5})\b`)

// OnFreePorts rewrites every localhost:PORT (and 127.0.0.1:PORT) listener in
// a config to a free port, so a test runs beside anything else on the
// machine. It returns the new config and the mapping from old to new port.
func OnFreePorts(t testing.TB, yaml string) (string, map[string]int) {
	t.Helper()
	ports := map[string]int{}
	return movePorts(t, localPortRe, yaml, ports), ports
}

// movePorts rewrites every HOST:PORT match of re (HOST the first group,
// PORT the second) to a free port, the same one for the same old port;
// ports maps old to new and is extended.
func movePorts(t testing.TB, re *regexp.Regexp, yaml string, ports map[string]int) string {
	t.Helper()
	return re.ReplaceAllStringFunc(yaml, func(m string) string {
		sub := re.FindStringSubmatch(m)
		p, ok := ports[sub[2]]
		if !ok {
			p = FreePort(t)
			ports[sub[2]] = p
		}
		return fmt.Sprintf("%s:%d", sub[1], p)
	})
}

// DefaultConfig returns the shipped otelcol-config.yaml on free ports, with
// the collector's own metrics endpoint off (it would collide between runs).
func DefaultConfig(t testing.TB) (path string, ports map[string]int) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(t), "otelcol-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, ports := OnFreePorts(t, string(raw))
	cfg = strings.Replace(cfg, "service:\n", "service:\n  telemetry:\n    metrics:\n      level: none\n", 1)
	return WriteConfig(t, cfg), ports
}
