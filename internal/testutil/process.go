package testutil

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// Process is a child process (Loki, Prometheus, ...) killed at test cleanup
// if still running; its output is logged when the test failed.
type Process struct {
	*Child
	t testing.TB
}

// StartProcess starts bin with args; env entries are added to the
// environment.
func StartProcess(t testing.TB, name string, env []string, bin string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return startCmd(t, name, cmd, 20000)
}

// startCmd starts cmd with its output captured, tracks its end and kills it
// at test cleanup if still running. When the test failed, the output is
// logged: its last logLimit bytes, or all of it when logLimit is 0.
func startCmd(t testing.TB, name string, cmd *exec.Cmd, logLimit int) *Process {
	t.Helper()
	c, err := StartChild(name, cmd, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{Child: c, t: t}
	t.Cleanup(func() {
		if !p.Exited() {
			p.Kill()
		}
		if t.Failed() {
			out := p.Output()
			if logLimit > 0 && len(out) > logLimit {
				out = "...\n" + p.Tail(logLimit)
			}
			t.Logf("%s output:\n%s", name, out)
		}
	})
	return p
}

// WaitHTTP polls url until it answers 200, for at most timeout.
func (p *Process) WaitHTTP(url string, timeout time.Duration) {
	p.t.Helper()
	if p.PollHTTP(url, timeout, 200*time.Millisecond) {
		return
	}
	if p.Exited() {
		p.t.Fatalf("%s exited before %s answered", p.Name, url)
	}
	p.t.Fatalf("%s: %s not ready after %s", p.Name, url, timeout)
}

// Stop sends SIGTERM and waits for the end, then SIGKILL after timeout.
func (p *Process) Stop(timeout time.Duration) { _ = p.Terminate(timeout) }
