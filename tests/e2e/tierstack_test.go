//go:build e2e

package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// startGateway starts gateway i on deploy/gateway.yaml (derived metrics
// flushed every second; nothing listens where its Loki exporter points,
// which only parks logs in its persistent queue) with extra config files
// merged after it. It returns its OTLP/gRPC and metrics ports.
func startGateway(t *testing.T, i int, common []string, extra ...string) (otlp, metrics int) {
	t.Helper()
	otlp, metrics, health := freePort(t), freePort(t), freePort(t)
	args := []string{"--config", filepath.Join(testutil.RepoRoot(t), "deploy", "gateway.yaml"),
		"--config", withPorts(t, health, freePort(t), gatewayListeners(otlp, metrics))}
	for _, e := range extra {
		args = append(args, "--config", e)
	}
	p := testutil.StartProcess(t, fmt.Sprintf("gateway-%d", i), append(slicesClone(common),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
		fmt.Sprintf("OTELCOL_OAUTH_LOKI_ENDPOINT=http://127.0.0.1:%d/otlp", freePort(t)),
	), testutil.BinaryPath(t), args...)
	p.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
	return otlp, metrics
}

// startLoadBalancer starts the load-balancing tier on
// deploy/loadbalancer.yaml with a static resolver in place of DNS (one IP,
// the gateways' ports; the certificate names localhost). It returns its
// OTLP/gRPC port.
func startLoadBalancer(t *testing.T, common []string, gateways []int) int {
	t.Helper()
	lbOTLP, lbHealth := freePort(t), freePort(t)
	var hosts string
	for i, port := range gateways {
		if i > 0 {
			hosts += ", "
		}
		hosts += fmt.Sprintf(`"localhost:%d"`, port)
	}
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
        hostnames: [%s]
  load_balancing/by_service:
    resolver:
      dns: null
      static:
        hostnames: [%s]
`, lbOTLP, hosts, hosts))
	lb := testutil.StartProcess(t, "loadbalancer", append(slicesClone(common), "OTELCOL_OAUTH_GATEWAYS=localhost"),
		testutil.BinaryPath(t), "--config", filepath.Join(testutil.RepoRoot(t), "deploy", "loadbalancer.yaml"), "--config", lbCfg)
	lb.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", lbHealth), processReady)
	return lbOTLP
}

// startAgent starts agent i on deploy/agent.yaml forwarding to the tier at
// lbOTLP. It returns its OTLP/HTTP port.
func startAgent(t *testing.T, i int, common []string, lbOTLP int) int {
	t.Helper()
	httpPort, health := freePort(t), freePort(t)
	cfg := withPorts(t, health, freePort(t), agentListeners(freePort(t), httpPort))
	p := testutil.StartProcess(t, fmt.Sprintf("agent-%d", i), append(slicesClone(common),
		fmt.Sprintf("OTELCOL_OAUTH_FORWARD_ENDPOINT=localhost:%d", lbOTLP),
		"OTELCOL_OAUTH_APP_LOGS="+filepath.Join(t.TempDir(), "*.log"),
		"OTELCOL_OAUTH_STORAGE_DIR="+t.TempDir(),
	), testutil.BinaryPath(t), "--config", filepath.Join(testutil.RepoRoot(t), "deploy", "agent.yaml"), "--config", cfg)
	p.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
	return httpPort
}
