//go:build faults

package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// The shipped agent config tails JSON app logs with file_log. Garbage lines
// (not JSON, Pino- and slog-looking JSON cut short, invalid UTF-8, NUL bytes,
// a 256 KiB line) are the documented pass-through: each is forwarded as a
// record whose body is the raw line, fingerprinted by oauth_redact, and the
// agent keeps running. No secret of those lines reaches the forward
// destination or any log line of the agent.
func TestBadInputFileLogAgent(t *testing.T) {
	s := newSecrets(t)
	agent := testutil.StartFileLogAgent(t, "app.log")
	col, sink, logFile := agent.Collector, agent.Sink, filepath.Join(agent.LogDir, "app.log")

	nowMs := time.Now().UnixMilli()
	nowRFC := time.Now().UTC().Format(time.RFC3339Nano)
	lines := []string{
		fmt.Sprintf(`{"level":30,"time":%d,"msg":"fault-line-0 refresh ok","clientId":"c1","refresh_token":%q}`, nowMs, s.refresh),
		fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"fault-line-1 slog ok","client_id":"c1","access_token":%q}`, nowRFC, s.bearer),
		"fault-line-2 not json at all refresh_token=" + s.refresh + " Authorization: Bearer " + s.bearer,
		fmt.Sprintf(`{"level":30,"time":%d,"msg":"fault-line-3 cut short","refresh_token":"%s`, nowMs, s.refresh),
		fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"fault-line-4 Authorization: Bearer %s`, nowRFC, s.bearer),
		"fault-line-5 \xff\xfe\xfd invalid utf-8 refresh_token=" + s.refresh,
		"fault-line-6 \x00\x00 nul bytes client_secret=" + s.github,
		"fault-line-7 " + strings.Repeat("x", 256<<10) + " Bearer " + s.bearer,
		`[1,2,3,"fault-line-8 ` + s.github + `"]`,
		`{"level":"not-a-number","time":99,"msg":"fault-line-9 pino with a bad level"}`,
		// A slog-looking line whose "time" is no time: the json_parser has
		// parsed the token field when the time parser fails; with the default
		// on_error: send the entry went to the agent's log at error level.
		fmt.Sprintf(`{"time":"also not a time","level":"INFO","msg":"fault-line-10 bad slog time","refresh_token":%q}`, s.refresh),
	}
	time.Sleep(time.Second) // one file_log poll (200 ms) after start sees the file at its end
	f, err := os.OpenFile(logFile, os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	for _, l := range lines {
		_, err := f.WriteString(l + "\n")
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())

	var missing []string
	for i := 0; i < 150; i++ { // at most 30 s
		missing = missing[:0]
		dump := sink.Dump()
		for n := range lines {
			if !strings.Contains(dump, fmt.Sprintf("fault-line-%d", n)) {
				missing = append(missing, fmt.Sprintf("fault-line-%d", n))
			}
		}
		if len(missing) == 0 {
			break
		}
		require.False(t, col.Exited(), "the agent died")
		time.Sleep(200 * time.Millisecond)
	}
	assert.Empty(t, missing, "lines that never reached the forward destination")
	t.Logf("file_log: %d lines written (2 valid, %d garbage), %d records forwarded", len(lines), len(lines)-2, len(sink.LogRecords()))

	require.NoError(t, col.Stop(30*time.Second))
	dump, out := sink.Dump(), col.Output()
	assertNoSecret(t, "forwarded records", dump, s.all()...)
	assertNoSecret(t, "agent log", out, s.all()...)
	assert.NotContains(t, out, "panic")
	t.Logf("file_log: the agent logged %d error lines for the garbage (parse failures, secret-free)", len(col.ErrorLines()))
}
