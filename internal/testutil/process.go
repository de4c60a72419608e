package testutil

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a child process (Loki, Prometheus, ...) killed at test cleanup
// if still running; its output is logged when the test failed.
type Process struct {
	Name string
	t    testing.TB
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // the exit error, set before done is closed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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
	p := &Process{Name: name, t: t, cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.Kill()
		}
		if t.Failed() {
			out := p.Output()
			if logLimit > 0 && len(out) > logLimit {
				out = "...\n" + out[len(out)-logLimit:]
			}
			t.Logf("%s output:\n%s", name, out)
		}
	})
	return p
}

// Output is everything the process wrote so far.
func (p *Process) Output() string { return p.out.String() }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// PID of the process.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// pollHTTP polls url every interval until it answers 200 (true), the process
// ends or timeout passes (false).
func (p *Process) pollHTTP(url string, timeout, interval time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.Exited() {
			return false
		}
		if resp, err := http.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(interval)
	}
	return false
}

// WaitHTTP polls url until it answers 200, for at most timeout.
func (p *Process) WaitHTTP(url string, timeout time.Duration) {
	p.t.Helper()
	if p.pollHTTP(url, timeout, 200*time.Millisecond) {
		return
	}
	if p.Exited() {
		p.t.Fatalf("%s exited before %s answered", p.Name, url)
	}
	p.t.Fatalf("%s: %s not ready after %s", p.Name, url, timeout)
}

// Wait waits for the process to end by itself and returns its exit error.
func (p *Process) Wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", p.Name, timeout)
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Stop sends SIGTERM and waits for the end, then SIGKILL after timeout.
func (p *Process) Stop(timeout time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.Kill()
	}
}

// Memory is a process's resident set now and its peak (VmRSS and VmHWM of
// /proc/PID/status), in bytes.
type Memory struct{ RSS, Peak int64 }

// ReadMemory reads /proc/PID/status.
func ReadMemory(pid int) (Memory, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			m.RSS = kb << 10
		case "VmHWM:":
			m.Peak = kb << 10
		}
	}
	return m, nil
}
