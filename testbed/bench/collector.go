package bench

import (
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// StartCollector starts bin --config configPath with GOMAXPROCS=procs (0:
// inherited) and the fingerprint key in the environment. The collector dies
// with the harness (Pdeathsig) and keeps the first MiB of its output.
func StartCollector(bin, configPath, key string, procs int) (*testutil.Child, error) {
	env := []string{"OAUTH_FINGERPRINT_KEY=" + key}
	if procs > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	cmd := testutil.CollectorCmd(bin, configPath, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return testutil.StartChild("collector", cmd, 1<<20)
}

// waitHealthy polls the collector's health check on port until it answers
// 200; the error carries the end of its output.
func waitHealthy(c *testutil.Child, port int, timeout time.Duration) error {
	if c.PollHTTP(fmt.Sprintf("http://127.0.0.1:%d/", port), timeout, 100*time.Millisecond) {
		return nil
	}
	if c.Exited() {
		return fmt.Errorf("collector exited: %v\n%s", c.ExitError(), c.Tail(3000))
	}
	return fmt.Errorf("collector not healthy after %s\n%s", timeout, c.Tail(3000))
}
