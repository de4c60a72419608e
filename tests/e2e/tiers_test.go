//go:build e2e

package e2e

import (
	"context"
	"fmt"
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
	common := tlsEnv(testutil.TestCerts(t))
	var gwOTLP, gwMetrics []int
	for i := 0; i < 2; i++ {
		otlp, metrics := startGateway(t, i, common)
		gwOTLP, gwMetrics = append(gwOTLP, otlp), append(gwMetrics, metrics)
	}
	lbOTLP := startLoadBalancer(t, common, gwOTLP)
	var agentHTTP []int
	for i := 0; i < 2; i++ {
		agentHTTP = append(agentHTTP, startAgent(t, i, common, lbOTLP))
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
