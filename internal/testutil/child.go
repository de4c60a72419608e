package testutil

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Child is a started child process whose output is captured. It is the
// testing.TB-free core of Process, so that the testbed command
// (testbed/cmd/oauthbench) runs processes with the same code as the tests.
type Child struct {
	Name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // the exit error, set before done is closed
}

// syncBuffer is a bytes.Buffer safe for the child's two output streams;
// with limit > 0 it keeps the first limit bytes and drops the rest.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	limit int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit > 0 && s.b.Len() > s.limit {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartChild starts cmd with stdout and stderr captured (the first
// outputLimit bytes, or all of it when outputLimit is 0) and tracks its end.
func StartChild(name string, cmd *exec.Cmd, outputLimit int) (*Child, error) {
	c := &Child{Name: name, cmd: cmd, out: &syncBuffer{limit: outputLimit}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	return c, nil
}

// Output is everything the process wrote so far.
func (c *Child) Output() string { return c.out.String() }

// Tail is the last n bytes of the output.
func (c *Child) Tail(n int) string {
	out := c.Output()
	if len(out) > n {
		return out[len(out)-n:]
	}
	return out
}

// Exited reports whether the process has ended.
func (c *Child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// ExitError is the process's exit error once it has ended (nil before).
func (c *Child) ExitError() error {
	if !c.Exited() {
		return nil
	}
	return c.err
}

// PID of the process.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// PollHTTP polls url every interval until it answers 200 (true), the
// process ends or timeout passes (false).
func (c *Child) PollHTTP(url string, timeout, interval time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c.Exited() {
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

// Wait waits for the process to end by itself and returns its exit error.
func (c *Child) Wait(timeout time.Duration) error {
	select {
	case <-c.done:
		return c.err
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", c.Name, timeout)
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (c *Child) Kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
}

// Terminate sends SIGTERM and waits for the end, then SIGKILL after
// timeout. It returns the exit error, or an error saying it had to kill.
func (c *Child) Terminate(timeout time.Duration) error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return c.err
	case <-time.After(timeout):
		c.Kill()
		return fmt.Errorf("%s did not stop on SIGTERM within %s; killed", c.Name, timeout)
	}
}
