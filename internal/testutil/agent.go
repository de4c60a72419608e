package testutil

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FileLogAgent is the shipped deploy/agent.yaml running on free ports,
// forwarding over mTLS to an OTLP sink and tailing *.log files in LogDir.
type FileLogAgent struct {
	*Collector
	Sink   *OTLPSink
	LogDir string
	Ports  map[string]int
}

// StartFileLogAgent starts the shipped agent with its file_log receiver on
// a fresh directory in which logFile exists, empty (with the shipped
// start_at: end the agent reads what is appended from then on), and waits
// until it is healthy.
func StartFileLogAgent(t testing.TB, logFile string) *FileLogAgent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(t), "deploy", "agent.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, ports := OnFreePortsDeploy(t, string(raw))
	if !strings.Contains(cfg, "file_log/app") {
		t.Fatal("the agent config no longer tails files")
	}
	ca, cert, key := TestCerts(t)
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	sink := StartOTLPSink(t, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	logDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(logDir, logFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	col := Start(t, WriteConfig(t, cfg),
		"OTELCOL_OAUTH_HOST=127.0.0.1",
		"OTELCOL_OAUTH_FORWARD_ENDPOINT="+sink.GRPCAddr,
		"OTELCOL_OAUTH_TLS_CA="+ca, "OTELCOL_OAUTH_TLS_CERT="+cert, "OTELCOL_OAUTH_TLS_KEY="+key,
		"OTELCOL_OAUTH_APP_LOGS="+filepath.Join(logDir, "*.log"),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir())
	col.WaitHealthy(fmt.Sprintf("http://127.0.0.1:%d/", ports["13133"]), 60*time.Second)
	return &FileLogAgent{Collector: col, Sink: sink, LogDir: logDir, Ports: ports}
}
