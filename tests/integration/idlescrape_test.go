//go:build integration

package integration

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// labelSet is a scraped series' full label set (exporter labels included),
// printed sorted so two scrapes compare as strings.
func labelSet(m *dto.Metric) string {
	var ls []string
	for _, lp := range m.GetLabel() {
		ls = append(ls, lp.GetName()+"="+lp.GetValue())
	}
	sort.Strings(ls)
	return "{" + strings.Join(ls, ",") + "}"
}

func seriesValue(fam *dto.MetricFamily, m *dto.Metric) float64 {
	if fam.GetType() == dto.MetricType_GAUGE {
		return m.GetGauge().GetValue()
	}
	return m.GetCounter().GetValue()
}

// TestIdleScrapeDefaultConfig is an idle `make run`: on the default config,
// the first scrape after the health check answers already has the contract's
// label-less series at 0, and an app's traffic (the real SDK, with its own
// service.name) increments those same series: same label set, no second
// series beside them.
func TestIdleScrapeDefaultConfig(t *testing.T) {
	cfgPath, ports := testutil.DefaultConfig(t)
	col := testutil.Start(t, cfgPath)
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", ports["13133"]), 60*time.Second)
	c := &spanmetricsCollector{col: col, otlp: ports["4318"], prom: ports["8889"]}

	var labelless []string
	for _, spec := range contract.Metrics {
		if len(spec.Labels) == 0 && spec.Kind != contract.Histogram {
			labelless = append(labelless, spec.Name)
		}
	}
	require.NotEmpty(t, labelless)

	// The first scrape, no retry: each label-less series once, at 0.
	first := c.scrape(t)
	idle := map[string]string{}
	for _, name := range labelless {
		fam, ok := first[name]
		if !assert.Truef(t, ok, "%s missing from the first scrape", name) {
			continue
		}
		require.Lenf(t, fam.GetMetric(), 1, "%s: one series", name)
		assert.Zerof(t, seriesValue(fam, fam.GetMetric()[0]), "%s at 0", name)
		idle[name] = labelSet(fam.GetMetric()[0])
	}
	require.Len(t, idle, len(labelless), "first scrape: %v", first)

	// An app creates one PKCE state, through the SDK as an app would.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithInsecure(),
		otlptracehttp.WithEndpoint(fmt.Sprintf("localhost:%d", ports["4318"])))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("idle-scrape-app"))))
	_, span := tp.Tracer("idle-scrape").Start(ctx, contract.OpPKCECreate,
		trace.WithAttributes(attribute.String(contract.AttrOperation, contract.OpPKCECreate)))
	span.End()
	require.NoError(t, tp.ForceFlush(ctx))
	require.NoError(t, tp.Shutdown(ctx))

	// The default flush interval is 15 s.
	var fams map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		fams = c.scrape(t)
		fam, ok := fams[contract.MetricPKCEStatesCreatedTotal]
		if !ok {
			return false
		}
		for _, m := range fam.GetMetric() {
			if seriesValue(fam, m) == 1 {
				return true
			}
		}
		return false
	}, 45*time.Second, 250*time.Millisecond, "the pkce.create span is never counted")

	want := map[string]float64{
		contract.MetricPKCEStatesCreatedTotal: 1,
		contract.MetricActivePKCEStates:       1,
	}
	for _, name := range labelless {
		fam := fams[name]
		require.NotNilf(t, fam, "%s gone after traffic", name)
		var sets []string
		for _, m := range fam.GetMetric() {
			sets = append(sets, labelSet(m))
		}
		require.Equalf(t, []string{idle[name]}, sets, "%s: the idle series and no other", name)
		assert.Equalf(t, want[name], seriesValue(fam, fam.GetMetric()[0]), "%s", name)
	}
	assert.Empty(t, col.ErrorLines())
}
