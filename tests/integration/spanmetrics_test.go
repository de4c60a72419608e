//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// spanmetricsConfig runs OTLP/HTTP -> oauth_span_metrics (traces and logs
// sides) -> prometheus, flushing every second. storageDir adds file_storage.
func spanmetricsConfig(otlp, prom, health int, storageDir string, exemplars bool) string {
	ext, storage, storageExt := "", "", ""
	if storageDir != "" {
		ext = fmt.Sprintf("  file_storage:\n    directory: %s\n", storageDir)
		storage = "    storage: file_storage\n"
		storageExt = ", file_storage"
	}
	connectorExtra, exporterExtra := "", ""
	if exemplars {
		connectorExtra = "    exemplars: true\n"
		exporterExtra = "    enable_open_metrics: true\n"
	}
	return fmt.Sprintf(`extensions:
  health_check:
    endpoint: 127.0.0.1:%d
%s
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
connectors:
  oauth_span_metrics:
    flush_interval: 1s
%s%s
exporters:
  prometheus:
    endpoint: 127.0.0.1:%d
%s
service:
  extensions: [health_check%s]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [oauth_span_metrics]
    logs:
      receivers: [otlp]
      exporters: [oauth_span_metrics]
    metrics:
      receivers: [oauth_span_metrics]
      exporters: [prometheus]
`, health, ext, otlp, storage, connectorExtra, prom, exporterExtra, storageExt)
}

type spanmetricsCollector struct {
	col        *testutil.Collector
	otlp, prom int
}

func startSpanmetrics(t *testing.T, storageDir string, exemplars bool) *spanmetricsCollector {
	t.Helper()
	otlp, prom, health := testutil.FreePort(t), testutil.FreePort(t), testutil.FreePort(t)
	cfg := testutil.WriteConfig(t, spanmetricsConfig(otlp, prom, health, storageDir, exemplars))
	col := testutil.Start(t, cfg)
	col.WaitHealthy(fmt.Sprintf("http://127.0.0.1:%d/", health), 60*time.Second)
	return &spanmetricsCollector{col: col, otlp: otlp, prom: prom}
}

func (c *spanmetricsCollector) post(t *testing.T, path string, body []byte) {
	t.Helper()
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d%s", c.otlp, path), "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, path)
}

func (c *spanmetricsCollector) sendTraces(t *testing.T, td ptrace.Traces) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	c.post(t, "/v1/traces", body)
}

func (c *spanmetricsCollector) sendLogs(t *testing.T, ld plog.Logs) {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	c.post(t, "/v1/logs", body)
}

// scrape returns the oauth_* families of the prometheus exporter, parsed
// with the Prometheus text parser.
func (c *spanmetricsCollector) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", c.prom))
	require.NoError(t, err)
	defer resp.Body.Close()
	fams, err := testutil.ParseMetrics(resp.Body)
	require.NoError(t, err)
	for name := range fams {
		if !strings.HasPrefix(name, "oauth_") {
			delete(fams, name)
		}
	}
	return fams
}

// exporterLabels are added by the prometheus exporter, not by the connector.
var exporterLabels = []string{"job", "instance", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url"}

// sample is one scraped or expected Prometheus sample, keyed by its name and
// sorted labels (the connector's plus job/instance).
func sampleKey(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name)
	for _, k := range keys {
		fmt.Fprintf(&b, ",%s=%q", k, labels[k])
	}
	return b.String()
}

// scrapedSamples flattens families into samples keyed by sampleKey, without
// the exporter's otel_scope_* labels.
func scrapedSamples(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, s := range testutil.Samples(fams) {
		labels := map[string]string{}
		for k, v := range s.Labels {
			if !strings.HasPrefix(k, "otel_scope_") {
				labels[k] = v
			}
		}
		out[sampleKey(s.Name, labels)] = s.Value
	}
	return out
}

// expectedSamples turns the connector's golden output into the samples the
// prometheus exporter must print: job from service.name, instance from
// service.instance.id, cumulative buckets plus +Inf.
func expectedSamples(md pmetric.Metrics) map[string]float64 {
	out := map[string]float64{}
	for _, rm := range md.ResourceMetrics().All() {
		base := map[string]string{}
		ra := rm.Resource().Attributes()
		if v, ok := ra.Get("service.name"); ok {
			base["job"] = v.Str()
			if ns, ok := ra.Get("service.namespace"); ok {
				base["job"] = ns.Str() + "/" + v.Str()
			}
		}
		if v, ok := ra.Get("service.instance.id"); ok {
			base["instance"] = v.Str()
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				attrs := func(a pcommon.Map) map[string]string {
					l := testutil.WithLabels(base)
					for k, v := range a.All() {
						l[k] = v.AsString()
					}
					return l
				}
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						out[sampleKey(m.Name(), attrs(dp.Attributes()))] = float64(dp.IntValue())
					}
				case pmetric.MetricTypeGauge:
					for _, dp := range m.Gauge().DataPoints().All() {
						out[sampleKey(m.Name(), attrs(dp.Attributes()))] = float64(dp.IntValue())
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						l := attrs(dp.Attributes())
						out[sampleKey(m.Name()+"_count", l)] = float64(dp.Count())
						out[sampleKey(m.Name()+"_sum", l)] = dp.Sum()
						var cum uint64
						bounds := dp.ExplicitBounds().AsRaw()
						for i, c := range dp.BucketCounts().AsRaw() {
							cum += c
							le := math.Inf(1)
							if i < len(bounds) {
								le = bounds[i]
							}
							out[sampleKey(m.Name()+"_bucket", testutil.WithLabels(l, "le", testutil.FormatBound(le)))] = float64(cum)
						}
					}
				}
			}
		}
	}
	return out
}

var promTypes = map[contract.MetricKind]dto.MetricType{
	contract.Counter:   dto.MetricType_COUNTER,
	contract.Gauge:     dto.MetricType_GAUGE,
	contract.Histogram: dto.MetricType_HISTOGRAM,
}

// TestSpanmetricsPrometheusScrape sends the golden mix of spans and logs
// (connector/oauthspanmetrics/testdata/golden) to the real binary over
// OTLP/HTTP, scrapes the prometheus exporter and checks every contract
// metric: name, type, label set, bucket bounds, and the exact value of every
// sample the golden expectation implies, and no other oauth_* sample.
func TestSpanmetricsPrometheusScrape(t *testing.T) {
	c := startSpanmetrics(t, "", false)

	// From the start: the label-less counters and the gauges at 0.
	require.Eventually(t, func() bool {
		return len(c.scrape(t)) == 4
	}, 30*time.Second, 200*time.Millisecond)
	samples := scrapedSamples(c.scrape(t))
	assert.Equal(t, map[string]float64{
		contract.MetricActiveTokens:               0,
		contract.MetricActivePKCEStates:           0,
		contract.MetricPKCEStatesCreatedTotal:     0,
		contract.MetricCodeInjectionAttemptsTotal: 0,
	}, samples)

	dir := filepath.Join(testutil.RepoRoot(t), "connector", "oauthspanmetrics", "testdata", "golden")
	td, err := golden.ReadTraces(filepath.Join(dir, "traces.yaml"))
	require.NoError(t, err)
	ld, err := golden.ReadLogs(filepath.Join(dir, "logs.yaml"))
	require.NoError(t, err)
	want, err := golden.ReadMetrics(filepath.Join(dir, "default.yaml"))
	require.NoError(t, err)
	c.sendTraces(t, td)
	// The logs dedup against the spans: send them once the spans are counted.
	require.Eventually(t, func() bool {
		_, ok := c.scrape(t)[contract.MetricFlowsTotal]
		return ok
	}, 30*time.Second, 200*time.Millisecond)
	c.sendLogs(t, ld)

	expected := expectedSamples(want)
	var fams map[string]*dto.MetricFamily
	ok := assert.Eventually(t, func() bool {
		fams = c.scrape(t)
		got := scrapedSamples(fams)
		for k, v := range expected {
			if g, ok := got[k]; !ok || math.Abs(g-v) > 1e-9 {
				return false
			}
		}
		return len(got) == len(expected)
	}, 30*time.Second, 250*time.Millisecond)
	if !ok {
		got := scrapedSamples(fams)
		for k, v := range expected {
			if g, found := got[k]; !found || math.Abs(g-v) > 1e-9 {
				t.Errorf("sample %s = %v (present %v), want %v", k, g, found, v)
			}
		}
		for k, v := range got {
			if _, found := expected[k]; !found {
				t.Errorf("unexpected sample %s = %v", k, v)
			}
		}
		t.FailNow()
	}

	// Every one of the 17 core metrics (and the 3 extended ones, on by
	// default): name, type, label set, bucket bounds.
	require.Len(t, fams, len(contract.Metrics))
	for _, spec := range contract.Metrics {
		fam, ok := fams[spec.Name]
		if !assert.Truef(t, ok, "metric %s missing from the scrape", spec.Name) {
			continue
		}
		assert.Equal(t, promTypes[spec.Kind], fam.GetType(), spec.Name)
		for _, m := range fam.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				if !slices.Contains(exporterLabels, lp.GetName()) {
					labels = append(labels, lp.GetName())
				}
			}
			want := slices.Clone(spec.Labels)
			slices.Sort(want)
			slices.Sort(labels)
			assert.Equal(t, want, labels, "labels of %s", spec.Name)
			if spec.Kind == contract.Histogram {
				var bounds []float64
				for _, b := range m.GetHistogram().GetBucket() {
					bounds = append(bounds, b.GetUpperBound())
				}
				assert.Equal(t, append(slices.Clone(spec.Buckets), math.Inf(1)), bounds, "buckets of %s", spec.Name)
			}
		}
	}
	assert.Empty(t, c.col.ErrorLines())
}

// TestSpanmetricsRestartKeepsGauges: with file_storage, oauth_active_tokens
// and oauth_active_pkce_states come back after a restart of the binary.
func TestSpanmetricsRestartKeepsGauges(t *testing.T) {
	storageDir := t.TempDir()
	c := startSpanmetrics(t, storageDir, false)

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "restart")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	now := time.Now()
	add := func(op string, kv ...string) {
		sp := spans.AppendEmpty()
		sp.SetName(op)
		sp.SetTraceID(pcommon.TraceID{9, byte(spans.Len())})
		sp.SetSpanID(pcommon.SpanID{9, byte(spans.Len())})
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(100 * time.Millisecond)))
		sp.Attributes().PutStr(contract.AttrOperation, op)
		for i := 0; i+1 < len(kv); i += 2 {
			sp.Attributes().PutStr(kv[i], kv[i+1])
		}
	}
	for range 3 {
		add(contract.OpToken, contract.AttrTokenExpiresIn, "86400")
	}
	add(contract.OpRevoke, contract.AttrReason, contract.ReasonManual)
	add(contract.OpPKCECreate, contract.AttrState, "fp:restart-1")
	add(contract.OpPKCECreate, contract.AttrState, "fp:restart-2")
	c.sendTraces(t, td)

	gauges := func(c *spanmetricsCollector) (tokens, pkce, created float64) {
		s := scrapedSamples(c.scrape(t))
		l := map[string]string{"job": "restart"}
		return s[sampleKey(contract.MetricActiveTokens, l)], s[sampleKey(contract.MetricActivePKCEStates, l)],
			s[sampleKey(contract.MetricPKCEStatesCreatedTotal, l)]
	}
	require.Eventually(t, func() bool {
		tokens, pkce, _ := gauges(c)
		return tokens == 2 && pkce == 2
	}, 30*time.Second, 200*time.Millisecond)
	require.NoError(t, c.col.Stop(30*time.Second))

	c2 := startSpanmetrics(t, storageDir, false)
	require.Eventually(t, func() bool {
		_, ok := c2.scrape(t)[contract.MetricActiveTokens]
		return ok
	}, 30*time.Second, 200*time.Millisecond)
	require.Eventually(t, func() bool {
		tokens, pkce, created := gauges(c2)
		return tokens == 2 && pkce == 2 && created == 0
	}, 10*time.Second, 200*time.Millisecond, "gauges restored, counters restarted")

	// The restored PKCE state is validated by its fingerprint.
	td = ptrace.NewTraces()
	rs = td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "restart")
	spans = rs.ScopeSpans().AppendEmpty().Spans()
	add(contract.OpPKCEValidate, contract.AttrState, "fp:restart-2")
	c2.sendTraces(t, td)
	require.Eventually(t, func() bool {
		_, pkce, _ := gauges(c2)
		return pkce == 1
	}, 30*time.Second, 200*time.Millisecond)
	assert.Empty(t, c2.col.ErrorLines())
}

// TestSpanmetricsExemplarsOpenMetrics: with exemplars on, the prometheus
// exporter (enable_open_metrics) shows the span's trace and span id on the
// histogram buckets and counters.
func TestSpanmetricsExemplarsOpenMetrics(t *testing.T) {
	c := startSpanmetrics(t, "", true)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "exemplars")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName(contract.OpRefresh)
	sp.SetTraceID(pcommon.TraceID{0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
	sp.SetSpanID(pcommon.SpanID{0xef, 1, 2, 3, 4, 5, 6, 7})
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(300 * time.Millisecond)))
	sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	c.sendTraces(t, td)

	var body string
	require.Eventually(t, func() bool {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/metrics", c.prom), nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		body = string(b)
		return strings.Contains(body, "oauth_token_refresh_duration_seconds_bucket")
	}, 30*time.Second, 200*time.Millisecond)

	traceID, spanID := "abcd0102030405060708090a0b0c0d0e", "ef01020304050607"
	var bucketEx, counterEx bool
	for _, line := range strings.Split(body, "\n") {
		hasEx := strings.Contains(line, "# {") && strings.Contains(line, traceID) && strings.Contains(line, spanID)
		switch {
		case strings.HasPrefix(line, contract.MetricTokenRefreshDuration+`_bucket{`) && strings.Contains(line, `le="0.5"`):
			bucketEx = hasEx
		case strings.HasPrefix(line, contract.MetricTokenRefreshTotal+`{`):
			counterEx = counterEx || hasEx
		}
	}
	assert.True(t, bucketEx, "exemplar on the le=0.5 bucket:\n%s", body)
	assert.True(t, counterEx, "exemplar on the counter:\n%s", body)
}
