package testutil

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Redis is a real redis-server (Debian's package, see `make tools-redis`) on
// 127.0.0.1 and a free port, without persistence, its working directory in a
// test temp dir. Stop and Start again keep the port: an outage; without
// persistence a restart forgets every key.
type Redis struct {
	Addr string // 127.0.0.1:PORT
	bin  string
	dir  string
	port int
	t    testing.TB
	proc *Process
}

// StartRedis starts redis-server ($OTELCOL_OAUTH_REDIS_BIN, else
// redis-server on PATH) and waits until it answers PING.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	r := &Redis{
		bin: Tool(t, "redis-server", "OTELCOL_OAUTH_REDIS_BIN", "make tools-redis"),
		dir: t.TempDir(), port: FreePort(t), t: t,
	}
	r.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
	r.Start()
	return r
}

// Start (re)starts the server on the same port and waits for PING.
func (r *Redis) Start() {
	r.t.Helper()
	r.proc = StartProcess(r.t, "redis-server", nil, r.bin,
		"--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--dir", r.dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "yes")
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := Ping(r.Addr)
		if err == nil {
			return
		}
		if r.proc.Exited() || time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s not ready: %v", r.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the server (SIGTERM, SIGKILL after 10 s).
func (r *Redis) Stop() { r.proc.Stop(10 * time.Second) }

// Pause freezes the server (SIGSTOP): connections open, nothing answers, a
// slow Redis at its worst. Resume continues it (SIGCONT).
func (r *Redis) Pause()  { _ = syscall.Kill(r.proc.PID(), syscall.SIGSTOP) }
func (r *Redis) Resume() { _ = syscall.Kill(r.proc.PID(), syscall.SIGCONT) }

// PID is the running server's process id.
func (r *Redis) PID() int { return r.proc.PID() }

// Ping sends PING over RESP and expects +PONG.
func Ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}
