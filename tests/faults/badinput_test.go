//go:build faults

// Package faults holds the fault, overload and bad-input tests against the
// real binary (make test-faults).
package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// randomToken returns prefix + n random alphanumerics: a fresh secret per run,
// so a match in any output can only come from this run's input.
func randomToken(t *testing.T, prefix string, n int) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		require.NoError(t, err)
		b[i] = alphabet[v.Int64()]
	}
	return prefix + string(b)
}

type secrets struct {
	refresh, github, bearer string
}

func newSecrets(t *testing.T) secrets {
	return secrets{
		refresh: randomToken(t, "rt_", 32),
		github:  randomToken(t, "ghp_", 36),
		bearer:  randomToken(t, "at_", 40),
	}
}

func (s secrets) all() []string { return []string{s.refresh, s.github, s.bearer} }

// faultCollector runs the default config with the debug exporter at detailed
// verbosity: every exported attribute and body is then in the process output,
// which the test scans for raw secrets.
type faultCollector struct {
	*testutil.Collector
	ports map[string]int
}

func startDetailed(t *testing.T) *faultCollector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "otelcol-config.yaml"))
	require.NoError(t, err)
	cfg, ports := testutil.OnFreePorts(t, string(raw))
	cfg = strings.Replace(cfg, "verbosity: basic", "verbosity: detailed", 1)
	cfg = strings.Replace(cfg, "service:\n", "service:\n  telemetry:\n    metrics:\n      level: none\n", 1)
	col := testutil.Start(t, testutil.WriteConfig(t, cfg))
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", ports["13133"]), 60*time.Second)
	return &faultCollector{Collector: col, ports: ports}
}

func (c *faultCollector) httpURL(path string) string {
	return fmt.Sprintf("http://localhost:%d%s", c.ports["4318"], path)
}

func (c *faultCollector) assertAlive(t *testing.T) {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://localhost:%d/", c.ports["13133"]))
	require.NoError(t, err, "health check unreachable: the collector died")
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.False(t, c.Exited())
}

func post(t *testing.T, url, contentType string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(url, contentType, bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func tracesWith(build func(span ptrace.Span)) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "fault-test")
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("oauth refresh")
	span.SetTraceID(pcommon.TraceID([16]byte{1, 2, 3}))
	span.SetSpanID(pcommon.SpanID([8]byte{4, 5, 6}))
	span.Attributes().PutStr("oauth.operation", "refresh")
	build(span)
	return td
}

func protoBody(t *testing.T, td ptrace.Traces) []byte {
	t.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	return b
}

// Malformed or hostile OTLP over HTTP gets a clear 4xx or is accepted and
// redacted; the collector never crashes and never echoes a secret.
func TestBadInputOTLPHTTP(t *testing.T) {
	col := startDetailed(t)
	s := newSecrets(t)

	valid := protoBody(t, tracesWith(func(span ptrace.Span) {
		span.Attributes().PutStr("oauth.refresh_token", s.refresh)
		span.Attributes().PutStr("http.request.header.authorization", "Bearer "+s.bearer)
	}))
	jsonWithSecret := fmt.Sprintf(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"%s","attributes":[{"key":"oauth.refresh_token","value":{"stringValue":"%s"}}]`, s.github, s.refresh)

	type tc struct {
		name, path, contentType string
		body                    []byte
		wantStatus              int
	}
	cases := []tc{
		{"garbage protobuf", "/v1/traces", "application/x-protobuf", append([]byte{0xff, 0xff, 0xff, 0x0f}, []byte(s.github)...), 400},
		{"truncated protobuf", "/v1/traces", "application/x-protobuf", valid[:len(valid)/2], 400},
		{"truncated JSON with secrets", "/v1/traces", "application/json", []byte(jsonWithSecret), 400},
		{"malformed JSON logs", "/v1/logs", "application/json", []byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"` + s.bearer + `"}`), 400},
		{"malformed JSON metrics", "/v1/metrics", "application/json", []byte(`{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"` + s.github), 400},
		{"wrong content type", "/v1/traces", "text/plain", []byte("access_token=" + s.bearer), 415},
		{"empty body protobuf", "/v1/traces", "application/x-protobuf", nil, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := post(t, col.httpURL(c.path), c.contentType, c.body)
			assert.Equal(t, c.wantStatus, code, "response: %.200s", body)
			for _, secret := range s.all() {
				assert.NotContains(t, body, secret, "the error response echoes a secret")
			}
			col.assertAlive(t)
		})
	}

	// Hostile but well-formed payloads are accepted and every secret in them
	// is redacted before the debug exporter prints them.
	big := strings.Repeat("x", 512<<10) + " Bearer " + s.bearer + " " + strings.Repeat("y", 512<<10)
	hostile := map[string]ptrace.Traces{
		"1 MiB attribute value": tracesWith(func(span ptrace.Span) {
			span.Attributes().PutStr("message", big)
		}),
		"10k attributes": tracesWith(func(span ptrace.Span) {
			for i := range 10_000 {
				span.Attributes().PutStr(fmt.Sprintf("attr.%d", i), "v")
			}
			span.Attributes().PutStr("client_secret", s.github)
		}),
		"deeply nested map": tracesWith(func(span ptrace.Span) {
			m := span.Attributes().PutEmptyMap("nested")
			for range 100 {
				m = m.PutEmptyMap("level")
			}
			m.PutStr("refresh_token", s.refresh)
		}),
		"invalid UTF-8": tracesWith(func(span ptrace.Span) {
			span.Attributes().PutStr("oauth.refresh_token", s.refresh)
			span.Attributes().PutStr("note", "bad \xff\xfe bytes, token "+s.github)
		}),
	}
	for name, td := range hostile {
		td.ResourceSpans().At(0).Resource().Attributes().PutStr("fault.case", name)
		t.Run(name, func(t *testing.T) {
			code, body := post(t, col.httpURL("/v1/traces"), "application/x-protobuf", protoBody(t, td))
			// Accepted (the documented pass-through) or refused as a whole
			// with a 4xx; never a 5xx, never a crash.
			assert.True(t, code == 200 || (code >= 400 && code < 500), "status %d: %.200s", code, body)
			for _, secret := range s.all() {
				assert.NotContains(t, body, secret)
			}
			col.assertAlive(t)
		})
	}

	// Give the batch processor time to flush what was accepted, then scan
	// everything the collector printed.
	require.Eventually(t, func() bool {
		out := col.Output()
		for name := range hostile {
			if !strings.Contains(out, "fault.case: Str("+name+")") {
				return false
			}
		}
		return true
	}, 30*time.Second, 200*time.Millisecond, "accepted payloads never reached the debug exporter")
	require.NoError(t, col.Stop(30*time.Second))
	out := col.Output()
	for _, secret := range s.all() {
		assert.NotContains(t, out, secret, "a raw secret reached the collector's output")
	}
	assert.NotContains(t, out, "panic")
}

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

var _ encoding.Codec = rawCodec{}

// Malformed protobuf over gRPC gets InvalidArgument, with no secret in the
// status message.
func TestBadInputOTLPGRPC(t *testing.T) {
	col := startDetailed(t)
	s := newSecrets(t)
	conn, err := grpc.NewClient(fmt.Sprintf("localhost:%d", col.ports["4317"]),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()

	valid := protoBody(t, tracesWith(func(span ptrace.Span) {
		span.Attributes().PutStr("oauth.refresh_token", s.refresh)
	}))
	for name, body := range map[string][]byte{
		"garbage":   append([]byte{0x0a, 0xff, 0xff, 0xff, 0x7f}, []byte(s.github)...),
		"truncated": valid[:len(valid)-3],
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out []byte
			err := conn.Invoke(ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
				body, &out, grpc.ForceCodec(rawCodec{}))
			require.Error(t, err)
			st, _ := status.FromError(err)
			// grpc-go answers a body it cannot decode with Internal; either code
			// is final for OTLP clients (neither is retryable), which is what matters.
			assert.Contains(t, []codes.Code{codes.InvalidArgument, codes.Internal}, st.Code(), "message: %.200s", st.Message())
			for _, secret := range s.all() {
				assert.NotContains(t, st.Message(), secret)
			}
			col.assertAlive(t)
		})
	}
	require.NoError(t, col.Stop(30*time.Second))
	for _, secret := range s.all() {
		assert.NotContains(t, col.Output(), secret)
	}
}
