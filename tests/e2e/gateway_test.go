//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.yaml.in/yaml/v3"
	"google.golang.org/grpc/credentials"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

const service = "e2e-auth-server"

type stack struct {
	prom, loki  string // base URLs
	gatewayOTLP string // host:port
	tlsConfig   *tls.Config
}

// startStack starts Loki, the shipped gateway config and Prometheus (with the
// shipped rules, evaluated every second instead of every 30 s), all on
// 127.0.0.1 and free ports.
func startStack(t *testing.T) *stack {
	t.Helper()
	root := testutil.RepoRoot(t)
	promBin, collector := tools(t)

	// Loki, on the shipped single-binary config.
	loki := testutil.StartLoki(t, installedBy)

	// The gateway, on the shipped config; a second config file moves its
	// listeners to free ports and flushes the derived metrics every second.
	ca, cert, key := testutil.TestCerts(t)
	otlpPort, metricsPort, healthPort, ownPort := freePort(t), freePort(t), freePort(t), freePort(t)
	gw := testutil.StartProcess(t, "gateway", append(tlsEnv(ca, cert, key),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
		fmt.Sprintf("OTELCOL_OAUTH_LOKI_ENDPOINT=%s/otlp", loki.URL),
	), collector, "--config", filepath.Join(root, "deploy", "gateway.yaml"), "--config", withPorts(t, healthPort, ownPort, gatewayListeners(otlpPort, metricsPort)))
	gw.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", healthPort), processReady)

	// Prometheus with the shipped rules.
	promDir := t.TempDir()
	var ruleFiles []string
	for _, f := range []string{"oauth-rules.yaml", "collector-health-rules.yaml"} {
		raw, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus", f))
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, yaml.Unmarshal(raw, &doc))
		for _, g := range doc["groups"].([]any) {
			g.(map[string]any)["interval"] = "1s"
		}
		out, err := yaml.Marshal(doc)
		require.NoError(t, err)
		p := filepath.Join(promDir, f)
		require.NoError(t, os.WriteFile(p, out, 0o600))
		ruleFiles = append(ruleFiles, p)
	}
	promPort := freePort(t)
	promCfg := filepath.Join(promDir, "prometheus.yaml")
	require.NoError(t, os.WriteFile(promCfg, []byte(fmt.Sprintf(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q, %q]
scrape_configs:
  - job_name: otelcol-oauth-gateway
    static_configs:
      - targets: ["127.0.0.1:%d"]
  - job_name: otelcol-oauth-internal
    static_configs:
      - targets: ["127.0.0.1:%d"]
`, ruleFiles[0], ruleFiles[1], metricsPort, ownPort)), 0o600))
	prom := testutil.StartProcess(t, "prometheus", nil, promBin,
		"--config.file="+promCfg,
		"--storage.tsdb.path="+filepath.Join(promDir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	promURL := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	prom.WaitHTTP(promURL+"/-/ready", processReady)

	caPEM, err := os.ReadFile(ca)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	pair, err := tls.LoadX509KeyPair(cert, key)
	require.NoError(t, err)
	return &stack{
		prom: promURL, loki: loki.URL,
		gatewayOTLP: fmt.Sprintf("localhost:%d", otlpPort),
		tlsConfig:   &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, ServerName: "localhost", MinVersion: tls.VersionTLS12},
	}
}

// promQuery runs an instant query and returns its samples' values by the
// value of label (or "" for one sample without it).
func (s *stack) promQuery(query, label string) (map[string]float64, error) {
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := getJSON(s.prom, "/api/v1/query", url.Values{"query": {query}}, &r); err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, res := range r.Data.Result {
		v, err := strconv.ParseFloat(fmt.Sprint(res.Value[1]), 64)
		if err != nil {
			return nil, err
		}
		out[res.Metric[label]] = v
	}
	return out, nil
}

// promValue waits until query returns one sample satisfying ok.
func (s *stack) promValue(t *testing.T, query string, ok func(float64) bool) float64 {
	t.Helper()
	var got float64
	eventually(t, 120, "prometheus: "+query, func() error {
		res, err := s.promQuery(query, "")
		if err != nil {
			return err
		}
		if len(res) != 1 {
			return fmt.Errorf("%d samples: %v", len(res), res)
		}
		got = res[""]
		if !ok(got) {
			return fmt.Errorf("value %v", got)
		}
		return nil
	})
	return got
}

// lokiQuery runs a LogQL range query over the last hour and returns the raw
// response and the log lines.
func (s *stack) lokiQuery(query string) (string, []string, error) {
	now := time.Now()
	params := url.Values{
		"query": {query}, "limit": {"1000"}, "direction": {"forward"},
		"start": {strconv.FormatInt(now.Add(-time.Hour).UnixNano(), 10)},
		"end":   {strconv.FormatInt(now.Add(time.Minute).UnixNano(), 10)},
	}
	req, err := http.NewRequest(http.MethodGet, s.loki+"/loki/api/v1/query_range?"+params.Encode(), nil)
	if err != nil {
		return "", nil, err
	}
	// Structured metadata comes back apart from the stream labels.
	req.Header.Set("X-Loki-Response-Encoding-Flags", "categorize-labels")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), nil, fmt.Errorf("loki %s: %s", resp.Status, body)
	}
	var r struct {
		Data struct {
			Result []struct {
				Values [][]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return string(body), nil, err
	}
	var lines []string
	for _, st := range r.Data.Result {
		for _, v := range st.Values {
			if len(v) > 1 {
				lines = append(lines, fmt.Sprint(v[1]))
			}
		}
	}
	return string(body), lines, nil
}

// oauthClient sends spans and logs like an instrumented authorization server.
type oauthClient struct {
	t      *testing.T
	tp     *sdktrace.TracerProvider
	lp     *sdklog.LoggerProvider
	tracer trace.Tracer
	logger otellog.Logger
}

func newOAuthClient(t *testing.T, s *stack) *oauthClient {
	t.Helper()
	ctx := context.Background()
	creds := credentials.NewTLS(s.tlsConfig)
	te, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(s.gatewayOTLP), otlptracegrpc.WithTLSCredentials(creds))
	require.NoError(t, err)
	le, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(s.gatewayOTLP), otlploggrpc.WithTLSCredentials(creds))
	require.NoError(t, err)
	res := resource.NewSchemaless(
		attribute.String("service.name", service),
		attribute.String("oauth.client_id", "e2e-client"),
	)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(te), sdktrace.WithResource(res))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(le)), sdklog.WithResource(res))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
		_ = lp.Shutdown(ctx)
	})
	return &oauthClient{t: t, tp: tp, lp: lp, tracer: tp.Tracer("e2e"), logger: lp.Logger("e2e")}
}

// span records one finished server span at a chosen time.
func (c *oauthClient) span(name string, at time.Time, dur time.Duration, failed bool, attrs ...attribute.KeyValue) {
	_, sp := c.tracer.Start(context.Background(), name,
		trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(at), trace.WithAttributes(attrs...))
	if failed {
		sp.SetStatus(codes.Error, "failed")
	}
	sp.End(trace.WithTimestamp(at.Add(dur)))
}

func op(name string) attribute.KeyValue { return attribute.String("oauth.operation", name) }

func (c *oauthClient) flow(at time.Time, n int, success bool) {
	status := "success"
	if !success {
		status = "failure"
	}
	c.span("oauth authorize", at, 50*time.Millisecond, false, op("authorize"),
		attribute.String("oauth.provider", "github"), attribute.String("oauth.state", fmt.Sprintf("state-%d-%s", n, status)))
	c.span("oauth callback", at.Add(2*time.Second), 300*time.Millisecond, !success, op("callback"),
		attribute.String("oauth.provider", "github"), attribute.String("oauth.status", status),
		attribute.String("oauth.state", fmt.Sprintf("state-%d-%s", n, status)),
		attribute.String("oauth.code", fmt.Sprintf("code-%d-%s-0123456789abcdef", n, status)))
}

func (c *oauthClient) refresh(at time.Time, token string, success bool, reason string) {
	attrs := []attribute.KeyValue{op("refresh"), attribute.String("oauth.refresh_token", token)}
	if !success {
		attrs = append(attrs, attribute.String("oauth.status", "failure"), attribute.String("oauth.reason", reason))
	}
	c.span("oauth refresh", at, 300*time.Millisecond, !success, attrs...)
}

func TestGatewayWithPrometheusAndLoki(t *testing.T) {
	s := startStack(t)
	c := newOAuthClient(t, s)
	base := time.Now().Add(-8 * time.Minute)
	tok := func(i int) string { return fmt.Sprintf("rt_e2e_%02d_0123456789abcdefghijklmnopqrstuv", i) }

	// Phase 1 creates every series the SLO ratios read, so that the increments
	// of phase 2 are seen by rate().
	c.flow(base, 0, true)
	c.flow(base, 1, false)
	c.refresh(base, tok(0), true, "")
	c.refresh(base.Add(time.Second), tok(99), false, "no_record")
	// tok(0) was rotated away by the first refresh: presenting it again a
	// minute later is a reuse.
	c.refresh(base.Add(time.Minute), tok(0), true, "")
	c.span("oauth token", base, 200*time.Millisecond, false, op("token"),
		attribute.String("oauth.grant_type", "authorization_code"), attribute.String("oauth.code", "code-injected-0123456789abcdef"))
	s.promValue(t, `sum(oauth_token_refresh_total{status="reuse_detected"})`, func(v float64) bool { return v == 1 })
	s.promValue(t, `sum(oauth_flows_total{status="failure"})`, func(v float64) bool { return v == 1 })
	// Two scrapes of the phase-1 values.
	time.Sleep(2500 * time.Millisecond)

	// Phase 2: 8 successful flows and 1 failed one; 7 successful refreshes, 1
	// failed one and a second reuse; the authorization code redeemed again.
	p2 := base.Add(2 * time.Minute)
	for i := 0; i < 8; i++ {
		c.flow(p2.Add(time.Duration(i)*time.Second), 10+i, true)
	}
	c.flow(p2, 20, false)
	for i := 1; i <= 7; i++ {
		c.refresh(p2.Add(time.Duration(i)*time.Second), tok(i), true, "")
	}
	c.refresh(p2.Add(10*time.Second), tok(98), false, "no_record")
	c.refresh(p2.Add(time.Minute), tok(3), true, "")
	c.span("oauth token", p2.Add(2*time.Minute), 200*time.Millisecond, false, op("token"),
		attribute.String("oauth.grant_type", "authorization_code"), attribute.String("oauth.code", "code-injected-0123456789abcdef"))

	// App logs: a reported reuse (Pino vocabulary, with the raw token) and a
	// plain OAuth log line. Loki must get both, with the token fingerprinted.
	const rawToken = "rt_e2e_reported_0123456789abcdefghijklmn"
	var rec otellog.Record
	rec.SetTimestamp(time.Now())
	rec.SetSeverity(otellog.SeverityError)
	rec.SetBody(attribute.StringValue("oauth refresh token reuse detected for e2e-client"))
	rec.AddAttributes(
		attribute.String("event.name", "oauth_refresh_token_reuse_detected"),
		attribute.String("type", "SECURITY_EVENT"),
		attribute.String("action", "oauth_refresh_token_reuse_detected"),
		attribute.String("refresh_token", rawToken),
		attribute.String("enduser.id", "user-e2e"),
	)
	c.logger.Emit(context.Background(), rec)
	var info otellog.Record
	info.SetTimestamp(time.Now())
	info.SetBody(attribute.StringValue("oauth discovery metadata cached"))
	c.logger.Emit(context.Background(), info)

	// --- Prometheus: the contract's SLO queries, through the shipped
	// recording rules (evaluated every second here).
	s.promValue(t, `sum(oauth_token_refresh_total{status="reuse_detected"})`, func(v float64) bool { return v == 2 })
	// Contract v2 section 1: a server token request with grant
	// authorization_code is its flow's outcome too, so the two "oauth token"
	// SERVER spans count as successful flows beside the 9 callbacks.
	s.promValue(t, `sum(oauth_flows_total{status="success"})`, func(v float64) bool { return v == 11 })
	time.Sleep(2500 * time.Millisecond)

	flow := s.promValue(t, `oauth:flow_success_rate:5m`, func(v float64) bool { return !math.IsNaN(v) && v < 1 })
	assert.InDelta(t, 9.0/10.0, flow, 0.03, "flow success rate of phase 2: 8 callbacks and 1 server exchange of 10 outcomes")
	refresh := s.promValue(t, `oauth:refresh_success_rate:5m`, func(v float64) bool { return !math.IsNaN(v) && v < 1 })
	assert.InDelta(t, 7.0/9.0, refresh, 0.03, "refresh success rate of phase 2: 7 of 9")
	p95 := s.promValue(t, `oauth:refresh_duration_seconds:p95`, func(v float64) bool { return !math.IsNaN(v) })
	assert.InDelta(t, 0.48, p95, 0.01, "every refresh took 300 ms: p95 interpolates to 0.48 s in the (0.1, 0.5] bucket")
	s.promValue(t, `increase(oauth_token_refresh_total{status="reuse_detected"}[5m]) > 0`, func(v float64) bool { return v > 0 })
	s.promValue(t, `sum(oauth_code_injection_attempts_total)`, func(v float64) bool { return v == 1 })

	// The P0 alerts fire.
	for _, alert := range []string{"OAuthTokenReuseDetected", "OAuthCodeInjectionAttempt"} {
		s.promValue(t, fmt.Sprintf(`ALERTS{alertname=%q,alertstate="firing"}`, alert), func(v float64) bool { return v == 1 })
	}
	// The collector's own metrics that the health rules read exist under the
	// names the rules use (Prometheus scraped them, no `_total` suffix); the
	// failure counters appear with a first failure only.
	for _, name := range []string{
		"otelcol_receiver_refused_spans", "otelcol_receiver_refused_log_records",
		"otelcol_exporter_sent_log_records", "otelcol_exporter_sent_metric_points",
		"otelcol_exporter_queue_size", "otelcol_exporter_queue_capacity",
	} {
		s.promValue(t, fmt.Sprintf(`count(%s{job="otelcol-oauth-internal"})`, name), func(v float64) bool { return v > 0 })
	}
	// Every Prometheus expression of the dashboard runs; the panels of what
	// this test sent show data.
	vars := strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h", "$job", ".*", "$provider", ".*")
	withData := 0
	for _, expr := range dashboardPromExprs(t) {
		res, err := s.promQuery(vars.Replace(expr), "")
		require.NoError(t, err, expr)
		if len(res) > 0 {
			withData++
		}
	}
	assert.GreaterOrEqual(t, withData, 10, "dashboard expressions with data")
	gauge, err := s.promQuery(vars.Replace(dashboardPromExprs(t)[0]), "")
	require.NoError(t, err)
	assert.InDelta(t, 8.0/9.0, gauge[""], 0.03, "the flow success gauge")

	// And the collector itself is healthy: no health alert fires (the ones
	// with a `for` cannot fire this soon; dropping data fires at once).
	res, err := s.promQuery(`ALERTS{alertname=~"Otelcol.*",alertstate="firing"}`, "alertname")
	require.NoError(t, err)
	assert.Empty(t, res, "collector health alerts")

	// --- Loki: the logs arrived through the gateway's persistent queue.
	var raw string
	eventually(t, 120, "loki: oauth lines", func() error {
		body, lines, err := s.lokiQuery(fmt.Sprintf(`{service_name=%q} |= "oauth"`, service))
		if err != nil {
			return err
		}
		if len(lines) < 2 {
			return fmt.Errorf("%d lines", len(lines))
		}
		raw = body
		return nil
	})
	// oauth_findings turned the two detected reuses and the code injection
	// into log records; the app reported one more reuse itself.
	var events []string
	eventually(t, 120, "loki: security events", func() error {
		var err error
		_, events, err = s.lokiQuery(fmt.Sprintf(`{service_name=%q} | event_name=~"oauth_refresh_token_reuse_detected|oauth_code_injection_attempt"`, service))
		if err != nil {
			return err
		}
		if len(events) < 4 {
			return fmt.Errorf("%d events: %q", len(events), events)
		}
		return nil
	})
	count := func(lines []string, s string) (n int) {
		for _, l := range lines {
			if l == s {
				n++
			}
		}
		return n
	}
	assert.Len(t, events, 4, "events: %q", events)
	assert.Equal(t, 2, count(events, "oauth_refresh_token_reuse_detected"), "detected reuses: %q", events)
	assert.Equal(t, 1, count(events, "oauth_code_injection_attempt"), "detected code injection: %q", events)
	assert.Equal(t, 1, count(events, "oauth refresh token reuse detected for e2e-client"), "reported reuse: %q", events)
	_, findings, err := s.lokiQuery(fmt.Sprintf(`{service_name=%q} | oauth_security_event_type="token_reuse"`, service))
	require.NoError(t, err)
	assert.Len(t, findings, 3, "two detected and one reported reuse carry oauth_security's annotation in Loki: %q", findings)
	// The dashboard's Loki panel query works against the real Loki.
	panelExpr := dashboardLokiExpr(t)
	_, panel, err := s.lokiQuery(strings.ReplaceAll(panelExpr, "$service", service))
	require.NoError(t, err)
	assert.ElementsMatch(t, events, panel)

	// No raw secret in anything Loki stored: lines and structured metadata.
	all, lines, err := s.lokiQuery(fmt.Sprintf(`{service_name=%q}`, service))
	require.NoError(t, err)
	assert.Len(t, lines, 5, "2 app logs and 3 finding records")
	for _, secret := range []string{rawToken, tok(0), tok(3), "code-injected-0123456789abcdef"} {
		assert.NotContains(t, all, secret, "a raw secret reached Loki")
		assert.NotContains(t, raw, secret, "a raw secret reached Loki")
	}
	assert.Contains(t, all, "fp:", "tokens are stored as fingerprints")
}

// dashboardLokiExpr is the LogQL of the dashboard's logs panel.
func dashboardLokiExpr(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "deploy", "grafana", "oauth-dashboard.json"))
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	for _, p := range d.Panels {
		if p.Type == "logs" && len(p.Targets) == 1 {
			return p.Targets[0].Expr
		}
	}
	t.Fatal("the dashboard has no logs panel")
	return ""
}

// dashboardPromExprs lists the dashboard's Prometheus expressions in panel
// order (the flow success gauge first).
func dashboardPromExprs(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "deploy", "grafana", "oauth-dashboard.json"))
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Targets []struct {
				Datasource struct {
					Type string `json:"type"`
				} `json:"datasource"`
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			if tg.Datasource.Type == "prometheus" {
				out = append(out, tg.Expr)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}
