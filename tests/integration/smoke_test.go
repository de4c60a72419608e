//go:build integration

package integration

import (
	"context"
	"fmt"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

func TestSmokeDefaultConfig(t *testing.T) {
	cfgPath, ports := testutil.DefaultConfig(t)
	for _, p := range []string{"4317", "4318", "8889", "13133"} {
		require.Contains(t, ports, p, "the default config must listen on localhost:%s", p)
	}
	col := testutil.Start(t, cfgPath)
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", ports["13133"]), 60*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := resource.NewSchemaless(semconv.ServiceName("smoke-test"), attribute.String("oauth.client_id", "smoke-client"))

	grpcTrace, err := otlptracegrpc.New(ctx, otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithEndpoint(fmt.Sprintf("localhost:%d", ports["4317"])))
	require.NoError(t, err)
	httpTrace, err := otlptracehttp.New(ctx, otlptracehttp.WithInsecure(),
		otlptracehttp.WithEndpoint(fmt.Sprintf("localhost:%d", ports["4318"])))
	require.NoError(t, err)
	grpcLog, err := otlploggrpc.New(ctx, otlploggrpc.WithInsecure(),
		otlploggrpc.WithEndpoint(fmt.Sprintf("localhost:%d", ports["4317"])))
	require.NoError(t, err)
	httpLog, err := otlploghttp.New(ctx, otlploghttp.WithInsecure(),
		otlploghttp.WithEndpoint(fmt.Sprintf("localhost:%d", ports["4318"])))
	require.NoError(t, err)

	for name, exp := range map[string]sdktrace.SpanExporter{"grpc": grpcTrace, "http": httpTrace} {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
		_, span := tp.Tracer("smoke").Start(ctx, "oauth.refresh "+name,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("oauth.operation", "refresh"),
				attribute.String("oauth.provider", "github")))
		span.End()
		require.NoError(t, tp.ForceFlush(ctx), "spans over OTLP/%s", name)
		require.NoError(t, tp.Shutdown(ctx))
	}
	for name, exp := range map[string]sdklog.Exporter{"grpc": grpcLog, "http": httpLog} {
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)), sdklog.WithResource(res))
		var rec otellog.Record
		rec.SetBody(attribute.StringValue("token refreshed via " + name))
		rec.AddAttributes(attribute.String("oauth.operation", "refresh"))
		lp.Logger("smoke").Emit(ctx, rec)
		require.NoError(t, lp.ForceFlush(ctx), "logs over OTLP/%s", name)
		require.NoError(t, lp.Shutdown(ctx))
	}

	// The debug exporter prints a line per batch; both protocols must have
	// delivered their span and log record through the whole pipeline.
	require.Eventually(t, func() bool {
		return sumCounts(col.Output(), "spans") >= 2 && sumCounts(col.Output(), "log records") >= 2
	}, 30*time.Second, 200*time.Millisecond, "expected 2 spans and 2 log records in the debug output")

	require.NoError(t, col.Stop(30*time.Second), "SIGTERM must end the collector with exit 0")
	assert.Empty(t, col.ErrorLines(), "no error-level lines expected")
	assert.Contains(t, col.Output(), "Shutdown complete")
}

var countRe = map[string]*regexp.Regexp{}

// sumCounts adds up the debug exporter's `"<what>": N` fields.
func sumCounts(out, what string) int {
	re, ok := countRe[what]
	if !ok {
		re = regexp.MustCompile(`"` + regexp.QuoteMeta(what) + `": (\d+)`)
		countRe[what] = re
	}
	n := 0
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		var v int
		fmt.Sscan(m[1], &v)
		n += v
	}
	return n
}

func TestRefusesMissingOrShortKey(t *testing.T) {
	cfgPath, _ := testutil.DefaultConfig(t)
	for name, key := range map[string]string{"missing": "", "short": "only-twenty-bytes-xx"} {
		t.Run(name, func(t *testing.T) {
			col := testutil.Start(t, cfgPath, "OAUTH_FINGERPRINT_KEY="+key)
			err := col.Wait(60 * time.Second)
			require.Error(t, err, "the collector must refuse to start")
			var exitErr interface{ Sys() any }
			if assert.ErrorAs(t, err, &exitErr) {
				ws, _ := exitErr.Sys().(syscall.WaitStatus)
				assert.NotZero(t, ws.ExitStatus())
			}
			out := col.Output()
			// the error names the extension that holds the key, and the field
			assert.Contains(t, out, "oauth_fingerprint")
			assert.Regexp(t, `key (is missing|is \d+ bytes long)`, out)
			if key != "" {
				assert.NotContains(t, out, key, "the key must never be printed")
			}
		})
	}
}
