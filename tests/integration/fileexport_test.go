//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"os"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// readLines returns the lines of a file exporter's output (none while the
// file does not exist yet).
func readLines(path string) [][]byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var lines [][]byte
	s := bufio.NewScanner(bytes.NewReader(raw))
	s.Buffer(make([]byte, 1<<20), 16<<20)
	for s.Scan() {
		lines = append(lines, append([]byte(nil), s.Bytes()...))
	}
	return lines
}

// fileLogRecords reads every log record a file exporter wrote so far (a
// line being written is skipped).
func fileLogRecords(path string) []plog.LogRecord {
	var out []plog.LogRecord
	for _, line := range readLines(path) {
		if ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line); err == nil {
			out = append(out, testutil.LogRecordsOf(ld)...)
		}
	}
	return out
}

// fileSpans reads every span a file exporter wrote so far.
func fileSpans(path string) []ptrace.Span {
	var out []ptrace.Span
	for _, line := range readLines(path) {
		if td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line); err == nil {
			out = append(out, testutil.SpansOf(td)...)
		}
	}
	return out
}
