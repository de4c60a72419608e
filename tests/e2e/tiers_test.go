//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// scrapeRefreshes reads oauth_token_refresh_total from a prometheus exporter
// endpoint, summed by status.
func scrapeRefreshes(url string) (map[string]float64, error) {
	samples, err := testutil.ScrapeMetrics(url)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range samples {
		if status, ok := s.Labels[contract.LabelStatus]; ok && s.Name == contract.MetricTokenRefreshTotal {
			out[status] += s.Value
		}
	}
	return out, nil
}

// Two agents, one load-balancing tier and two gateways, all shipped configs,
// as processes on 127.0.0.1. A refresh-token reuse whose two refreshes arrive
// through different agents is flagged exactly once, and the refresh counts of
// the two gateways add up to what the apps sent.
func TestAgentsLoadBalancerGateways(t *testing.T) {
	root := testutil.RepoRoot(t)
	bin := testutil.BinaryPath(t)
	common := tlsEnv(testutil.TestCerts(t))

	// Two gateways; nothing listens where their Loki exporter points, which
	// only parks logs in the persistent queue (no logs are sent here).
	var gwOTLP, gwMetrics []int
	for i := 0; i < 2; i++ {
		otlp, metrics, health := freePort(t), freePort(t), freePort(t)
		gwOTLP, gwMetrics = append(gwOTLP, otlp), append(gwMetrics, metrics)
		cfg := withPorts(t, health, freePort(t), gatewayListeners(otlp, metrics))
		p := testutil.StartProcess(t, fmt.Sprintf("gateway-%d", i), append(slicesClone(common),
			"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
			fmt.Sprintf("OTELCOL_OAUTH_LOKI_ENDPOINT=http://127.0.0.1:%d/otlp", freePort(t)),
		), bin, "--config", filepath.Join(root, "deploy", "gateway.yaml"), "--config", cfg)
		p.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
	}

	// The load-balancing tier: the shipped config with a static resolver in
	// place of DNS (one IP, two ports); the certificate names localhost.
	lbOTLP, lbHealth := freePort(t), freePort(t)
	hosts := fmt.Sprintf(`["localhost:%d", "localhost:%d"]`, gwOTLP[0], gwOTLP[1])
	lbCfg := withPorts(t, lbHealth, freePort(t), fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
exporters:
  load_balancing/by_client:
    resolver:
      dns: null
      static:
        hostnames: %s
  load_balancing/by_service:
    resolver:
      dns: null
      static:
        hostnames: %s
`, lbOTLP, hosts, hosts))
	lb := testutil.StartProcess(t, "loadbalancer", append(slicesClone(common), "OTELCOL_OAUTH_GATEWAYS=localhost"),
		bin, "--config", filepath.Join(root, "deploy", "loadbalancer.yaml"), "--config", lbCfg)
	lb.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", lbHealth), processReady)

	// Two agents forwarding to the tier.
	var agentHTTP []int
	for i := 0; i < 2; i++ {
		httpPort, health := freePort(t), freePort(t)
		agentHTTP = append(agentHTTP, httpPort)
		cfg := withPorts(t, health, freePort(t), agentListeners(freePort(t), httpPort))
		p := testutil.StartProcess(t, fmt.Sprintf("agent-%d", i), append(slicesClone(common),
			fmt.Sprintf("OTELCOL_OAUTH_FORWARD_ENDPOINT=localhost:%d", lbOTLP),
			"OTELCOL_OAUTH_APP_LOGS="+filepath.Join(t.TempDir(), "*.log"),
			"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
		), bin, "--config", filepath.Join(root, "deploy", "agent.yaml"), "--config", cfg)
		p.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
	}

	// Apps: one tracer per (agent, client). Each client refreshes its own
	// token chain through agent 0; the attacker replays client-07's first
	// refresh token through agent 1 a minute later.
	tracer := func(agent int, client string) trace.Tracer {
		exp, err := otlptracehttp.New(context.Background(),
			otlptracehttp.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", agentHTTP[agent])), otlptracehttp.WithInsecure())
		require.NoError(t, err)
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", fmt.Sprintf("app-%d", agent)),
			attribute.String("oauth.client_id", client))))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		return tp.Tracer("e2e")
	}
	refresh := func(tr trace.Tracer, at time.Time, token string) {
		_, sp := tr.Start(context.Background(), "oauth refresh", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithTimestamp(at), trace.WithAttributes(
				attribute.String("oauth.operation", "refresh"),
				attribute.String("oauth.refresh_token", token)))
		sp.End(trace.WithTimestamp(at.Add(200 * time.Millisecond)))
	}
	base := time.Now().Add(-5 * time.Minute)
	const clients, perClient = 40, 2
	token := func(c, i int) string { return fmt.Sprintf("rt_tier_client%02d_%02d_0123456789abcdefghijkl", c, i) }
	for c := 0; c < clients; c++ {
		tr := tracer(0, fmt.Sprintf("client-%02d", c))
		for i := 0; i < perClient; i++ {
			refresh(tr, base.Add(time.Duration(c*perClient+i)*time.Second), token(c, i))
		}
	}
	refresh(tracer(1, "client-07"), base.Add(2*time.Minute), token(7, 0))

	// Ground truth: clients×perClient successful refreshes, one reuse.
	var per []map[string]float64
	eventually(t, 120, "gateway refresh counts", func() error {
		per = per[:0]
		total := map[string]float64{}
		for _, port := range gwMetrics {
			m, err := scrapeRefreshes(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
			if err != nil {
				return err
			}
			per = append(per, m)
			for k, v := range m {
				total[k] += v
			}
		}
		if total["success"] != clients*perClient || total["reuse_detected"] != 1 {
			return fmt.Errorf("success %v, reuse_detected %v (per gateway %v)", total["success"], total["reuse_detected"], per)
		}
		return nil
	})
	t.Logf("refreshes per gateway: %v", per)
	var flagged int
	for i, m := range per {
		assert.Positive(t, m["success"], "gateway %d got no client: routing does not spread", i)
		if m["reuse_detected"] > 0 {
			flagged++
		}
		assert.Zero(t, m["failure"], "gateway %d", i)
	}
	assert.Equal(t, 1, flagged, "exactly one gateway flags the reuse")
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
