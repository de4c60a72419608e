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

// startLoadBalancer starts the load-balancing tier on the shipped config
// (startTier: a static resolver over the gateways' OTLP ports). It returns
// its OTLP/gRPC port.
func startLoadBalancer(t *testing.T, common []string, gateways []int) int {
	t.Helper()
	var gws []*sharedGateway
	for _, port := range gateways {
		gws = append(gws, &sharedGateway{otlp: port})
	}
	otlp, _ := startTier(t, common, false, gws...)
	return otlp
}

// startAgent starts agent i on deploy/agent.yaml forwarding to the tier at
// lbOTLP. It returns its OTLP/HTTP port.
func startAgent(t *testing.T, i int, common []string, lbOTLP int) int {
	t.Helper()
	a := &agent{i: i, http: freePort(t), own: freePort(t), storage: t.TempDir()}
	a.start(t, common, lbOTLP)
	return a.http
}

// agent is an agent's process, its ports and its storage directory, which
// keep across a restart.
type agent struct {
	i, http, own int
	storage      string
	p            *testutil.Process
}

// start starts the agent on deploy/agent.yaml forwarding to lbOTLP.
func (a *agent) start(t *testing.T, common []string, lbOTLP int) {
	t.Helper()
	health := freePort(t)
	cfg := withPorts(t, health, a.own, agentListeners(freePort(t), a.http))
	a.p = testutil.StartProcess(t, fmt.Sprintf("agent-%d", a.i), append(slicesClone(common),
		fmt.Sprintf("OTELCOL_OAUTH_FORWARD_ENDPOINT=localhost:%d", lbOTLP),
		"OTELCOL_OAUTH_APP_LOGS="+filepath.Join(t.TempDir(), "*.log"),
		"OTELCOL_OAUTH_STORAGE_DIR="+a.storage,
	), testutil.BinaryPath(t), "--config", filepath.Join(testutil.RepoRoot(t), "deploy", "agent.yaml"), "--config", cfg)
	a.p.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", health), processReady)
}
