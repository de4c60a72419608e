//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/credentials"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// sharedGateway is a gateway on deploy/gateway.yaml with the shared-state
// overlay (deploy/gateway-shared-state.yaml).
type sharedGateway struct {
	otlp, metrics, own int
	proc               *testutil.Process
}

func startSharedGateway(t *testing.T, i int, env []string, redisAddr string) *sharedGateway {
	return startGatewayMode(t, i, env, redisAddr, true)
}

// startGatewayMode starts a gateway on deploy/gateway.yaml, with the
// shared-state overlay when shared (else its local state and file checkpoint).
func startGatewayMode(t *testing.T, i int, env []string, redisAddr string, shared bool) *sharedGateway {
	t.Helper()
	root := testutil.RepoRoot(t)
	g := &sharedGateway{otlp: freePort(t), metrics: freePort(t), own: freePort(t)}
	health := freePort(t)
	cfg := withPorts(t, health, g.own, gatewayListeners(g.otlp, g.metrics))
	args := []string{"--config", filepath.Join(root, "deploy", "gateway.yaml")}
	if shared {
		args = append(args, "--config", filepath.Join(root, "deploy", "shared-state", "gateway-shared-state.yaml"))
	}
	g.proc = testutil.StartProcess(t, fmt.Sprintf("gateway-%d", i), append(slicesClone(env),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
		fmt.Sprintf("OTELCOL_OAUTH_LOKI_ENDPOINT=http://127.0.0.1:%d/otlp", freePort(t)),
		"OTELCOL_OAUTH_REDIS_ENDPOINT="+redisAddr, "OTELCOL_OAUTH_REDIS_KEY_PREFIX=e2e",
	), testutil.BinaryPath(t), append(args, "--config", cfg)...)
	g.proc.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
	return g
}

// refreshes is the gateway's oauth_token_refresh_total by status.
func (g *sharedGateway) refreshes() (map[string]float64, error) {
	return scrapeRefreshes(fmt.Sprintf("http://127.0.0.1:%d/metrics", g.metrics))
}

// tokenReuseFindings is the gateway's own count of token_reuse findings.
func (g *sharedGateway) tokenReuseFindings() (float64, error) {
	samples, err := testutil.ScrapeMetrics(fmt.Sprintf("http://127.0.0.1:%d/metrics", g.own))
	if err != nil {
		return 0, err
	}
	var n float64
	for _, s := range samples {
		if strings.HasPrefix(s.Name, "otelcol_processor_oauth_security_findings") && s.Labels["event_type"] == contract.EventTokenReuse {
			n += s.Value
		}
	}
	return n, nil
}

// startTier starts the load-balancing tier on the shipped config with the
// by-trace overlay and a static resolver over the given gateways.
//
// With byTrace false it is the shipped config alone (routing by client).
func startTier(t *testing.T, env []string, byTrace bool, gws ...*sharedGateway) (int, *testutil.Process) {
	t.Helper()
	root := testutil.RepoRoot(t)
	var hosts []string
	for _, g := range gws {
		hosts = append(hosts, fmt.Sprintf("%q", fmt.Sprintf("localhost:%d", g.otlp)))
	}
	otlp, health := freePort(t), freePort(t)
	cfg := withPorts(t, health, freePort(t), fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
exporters:
  load_balancing/by_client:
    resolver:
      dns: null
      static:
        hostnames: [%s]
  load_balancing/by_service:
    resolver:
      dns: null
      static:
        hostnames: [%s]
`, otlp, strings.Join(hosts, ", "), strings.Join(hosts, ", ")))
	args := []string{"--config", filepath.Join(root, "deploy", "loadbalancer.yaml")}
	if byTrace {
		args = append(args, "--config", filepath.Join(root, "deploy", "shared-state", "loadbalancer-by-trace.yaml"))
	}
	p := testutil.StartProcess(t, "loadbalancer", append(slicesClone(env), "OTELCOL_OAUTH_GATEWAYS=localhost"),
		testutil.BinaryPath(t), append(args, "--config", cfg)...)
	p.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
	return otlp, p
}

// mtlsTracer sends spans synchronously over OTLP/gRPC with the test client
// certificate to localhost:port.
func mtlsTracer(t *testing.T, ca, cert, key string, port int) trace.Tracer {
	return clientTracer(t, ca, cert, key, port, "")
}

// clientTracer is mtlsTracer with oauth.client_id on the resource (when set).
func clientTracer(t *testing.T, ca, cert, key string, port int, client string) trace.Tracer {
	t.Helper()
	caPEM, err := os.ReadFile(ca)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	pair, err := tls.LoadX509KeyPair(cert, key)
	require.NoError(t, err)
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, ServerName: "localhost", MinVersion: tls.VersionTLS12})
	exp, err := otlptracegrpc.New(context.Background(),
		otlptracegrpc.WithEndpoint(fmt.Sprintf("localhost:%d", port)), otlptracegrpc.WithTLSCredentials(creds))
	require.NoError(t, err)
	attrs := []attribute.KeyValue{attribute.String("service.name", "e2e-shared")}
	if client != "" {
		attrs = append(attrs, attribute.String("oauth.client_id", client))
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(resource.NewSchemaless(attrs...)))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp.Tracer("e2e")
}

// sendRefresh sends one successful refresh (its own trace) with a raw token.
func sendRefresh(tr trace.Tracer, at time.Time, token string) {
	_, sp := tr.Start(context.Background(), "oauth refresh", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithTimestamp(at), trace.WithAttributes(
			attribute.String("oauth.operation", "refresh"), attribute.String("oauth.refresh_token", token)))
	sp.End(trace.WithTimestamp(at.Add(100 * time.Millisecond)))
}

// sumOver adds one status of the gateways' refresh counts.
func sumOver(gws []*sharedGateway, status string) (float64, []map[string]float64, error) {
	var total float64
	var per []map[string]float64
	for _, g := range gws {
		m, err := g.refreshes()
		if err != nil {
			return 0, nil, err
		}
		per = append(per, m)
		total += m[status]
	}
	return total, per, nil
}

// Failover, side by side. Shared: the tier routes by trace id to two
// gateways on one Redis. Local: the shipped per-client routing and
// per-gateway state. 40 clients rotate their refresh tokens; one gateway is
// killed (SIGKILL) and dropped from the resolver (the stateless tier is
// restarted with the survivor); every client's rotated-away token is
// replayed. Shared: 40 of 40 flagged, each once. Local: only the clients
// whose first use the survivor saw. Before that, the same token sent to both
// gateways at the same instant (two requests) is flagged once when shared,
// never when local.
func TestSharedStateFailover(t *testing.T) {
	for _, shared := range []bool{true, false} {
		name := map[bool]string{true: "shared", false: "local"}[shared]
		t.Run(name, func(t *testing.T) { failover(t, shared) })
	}
}

func failover(t *testing.T, shared bool) {
	redis := testutil.StartRedis(t)
	ca, cert, key := testutil.TestCerts(t)
	env := tlsEnv(ca, cert, key)
	gws := []*sharedGateway{startGatewayMode(t, 0, env, redis.Addr, shared), startGatewayMode(t, 1, env, redis.Addr, shared)}
	tierPort, tier := startTier(t, env, shared, gws...)

	const clients = 40
	token := func(c, i int) string { return fmt.Sprintf("rt_shared_client%02d_%02d_0123456789abcdefghij", c, i) }
	base := time.Now().Add(-5 * time.Minute)
	for c := 0; c < clients; c++ {
		tr := clientTracer(t, ca, cert, key, tierPort, fmt.Sprintf("client-%02d", c))
		for i := 0; i < 2; i++ {
			sendRefresh(tr, base.Add(time.Duration(2*c+i)*time.Second), token(c, i))
		}
	}
	var per []map[string]float64
	eventually(t, 120, "refreshes delivered", func() error {
		total, p, err := sumOver(gws, contract.StatusSuccess)
		per = p
		if err != nil || total != 2*clients {
			return fmt.Errorf("success %v of %d (per gateway %v, err %v)", total, 2*clients, per, err)
		}
		for i, m := range per {
			if m[contract.StatusSuccess] == 0 {
				return fmt.Errorf("gateway %d got no refresh: routing does not spread (%v)", i, per)
			}
		}
		return nil
	})
	// Per-client routing keeps a client's two refreshes together.
	survivorsFirstUses := per[0][contract.StatusSuccess]

	// The same token at both gateways at the same instant, bypassing the tier.
	const same = 10
	direct := []trace.Tracer{mtlsTracer(t, ca, cert, key, gws[0].otlp), mtlsTracer(t, ca, cert, key, gws[1].otlp)}
	at := base.Add(3 * time.Minute)
	var wg sync.WaitGroup
	for k := 0; k < same; k++ {
		for _, d := range direct {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sendRefresh(d, at.Add(time.Duration(k)*time.Second), fmt.Sprintf("rt_same_instant_%02d_0123456789abcdefghij", k))
			}()
		}
	}
	wg.Wait()
	eventually(t, 120, "same-instant refreshes", func() error {
		succ, _, err := sumOver(gws, contract.StatusSuccess)
		if err != nil {
			return err
		}
		reused, per, err := sumOver(gws, contract.StatusReuseDetected)
		if err != nil || succ+reused != 2*clients+2*same {
			return fmt.Errorf("success %v + reuse_detected %v of %d (per gateway %v, err %v)", succ, reused, 2*clients+2*same, per, err)
		}
		return nil
	})
	time.Sleep(2 * time.Second) // a late duplicate would show now
	reusedSame, per, err := sumOver(gws, contract.StatusReuseDetected)
	require.NoError(t, err)

	// Failover: gateway 1 is killed and dropped from the resolver.
	before, err := gws[0].tokenReuseFindings()
	require.NoError(t, err)
	beforeStatus := per[0][contract.StatusReuseDetected]
	gws[1].proc.Kill()
	require.NoError(t, tier.Terminate(30*time.Second))
	tierPort, _ = startTier(t, env, shared, gws[0])
	replayAt := base.Add(4 * time.Minute)
	for c := 0; c < clients; c++ {
		sendRefresh(clientTracer(t, ca, cert, key, tierPort, fmt.Sprintf("client-%02d", c)), replayAt.Add(time.Duration(c)*time.Second), token(c, 0))
	}
	want := float64(clients)
	if !shared {
		want = survivorsFirstUses / 2 // the survivor's clients only
	}
	flaggedNow := func() (float64, float64, error) {
		m, err := gws[0].refreshes()
		return m[contract.StatusReuseDetected] - beforeStatus, m[contract.StatusSuccess] + m[contract.StatusReuseDetected], err
	}
	eventually(t, 120, "replays counted", func() error {
		n, all, err := flaggedNow()
		if err == nil && (n < want || all < survivorsFirstUses+same+clients) {
			err = fmt.Errorf("%v of %v replays flagged, %v refreshes counted", n, want, all)
		}
		return err
	})
	time.Sleep(2 * time.Second) // a late duplicate would show now
	flagged, _, err := flaggedNow()
	require.NoError(t, err)
	after, err := gws[0].tokenReuseFindings()
	require.NoError(t, err)
	findings := after - before
	t.Logf("%s state: failover %v of %d replays flagged, %v token_reuse findings; same instant at two gateways: %v of %d flagged",
		map[bool]string{true: "shared", false: "local"}[shared], flagged, clients, findings, reusedSame, same)
	assert.Equal(t, want, flagged)
	assert.Equal(t, want, findings, "each replay flagged once")
	if shared {
		assert.Equal(t, float64(same), reusedSame, "each same-instant pair flagged once")
	} else {
		assert.Zero(t, reusedSame, "local state cannot see a use at the other gateway")
		assert.Less(t, want, float64(clients), "the killed gateway had clients")
	}
}

// Scale-out from two to three gateways on the shared state: 40 clients
// rotate their refresh tokens at two gateways, a third joins the resolver
// (the stateless tier restarted with all three), every rotated-away token is
// replayed: 40 of 40 flagged over the three gateways, each once, and the new
// gateway takes part.
func TestSharedStateScaleOut(t *testing.T) {
	redis := testutil.StartRedis(t)
	ca, cert, key := testutil.TestCerts(t)
	env := tlsEnv(ca, cert, key)
	gws := []*sharedGateway{startSharedGateway(t, 0, env, redis.Addr), startSharedGateway(t, 1, env, redis.Addr)}
	tierPort, tier := startTier(t, env, true, gws...)

	const clients = 40
	token := func(c, i int) string { return fmt.Sprintf("rt_scale_client%02d_%02d_0123456789abcdefghij", c, i) }
	base := time.Now().Add(-5 * time.Minute)
	tr := mtlsTracer(t, ca, cert, key, tierPort)
	for c := 0; c < clients; c++ {
		for i := 0; i < 2; i++ {
			sendRefresh(tr, base.Add(time.Duration(2*c+i)*time.Second), token(c, i))
		}
	}
	eventually(t, 120, "refreshes delivered", func() error {
		total, per, err := sumOver(gws, contract.StatusSuccess)
		if err == nil && total != 2*clients {
			err = fmt.Errorf("success %v of %d (per gateway %v)", total, 2*clients, per)
		}
		return err
	})

	gws = append(gws, startSharedGateway(t, 2, env, redis.Addr))
	require.NoError(t, tier.Terminate(30*time.Second))
	tierPort, _ = startTier(t, env, true, gws...)
	tr = mtlsTracer(t, ca, cert, key, tierPort)
	for c := 0; c < clients; c++ {
		sendRefresh(tr, base.Add(4*time.Minute+time.Duration(c)*time.Second), token(c, 0))
	}
	var per []map[string]float64
	eventually(t, 120, "replays counted", func() error {
		succ, _, err := sumOver(gws, contract.StatusSuccess)
		if err != nil {
			return err
		}
		reused, p, err := sumOver(gws, contract.StatusReuseDetected)
		per = p
		if err == nil && succ+reused != 3*clients {
			err = fmt.Errorf("success %v + reuse_detected %v of %d (per gateway %v)", succ, reused, 3*clients, per)
		}
		return err
	})
	time.Sleep(2 * time.Second) // a late duplicate would show now
	flagged, per, err := sumOver(gws, contract.StatusReuseDetected)
	require.NoError(t, err)
	var findings float64
	for _, g := range gws {
		n, err := g.tokenReuseFindings()
		require.NoError(t, err)
		findings += n
	}
	t.Logf("scale-out 2 → 3: %v of %d replays flagged, %v token_reuse findings (per gateway %v)", flagged, clients, findings, per)
	assert.Equal(t, float64(clients), flagged)
	assert.Equal(t, float64(clients), findings, "each replay flagged once")
	assert.Positive(t, per[2][contract.StatusReuseDetected], "the new gateway flagged replays of tokens it never saw")
}
