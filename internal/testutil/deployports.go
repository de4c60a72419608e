package testutil

import (
	"fmt"
	"regexp"
	"testing"
)

var (
	envHostPortRe = regexp.MustCompile(`(\$\{env:OTELCOL_OAUTH_HOST:-[0-9.]+\}):(\d{2,5})\b`)
	ownMetricsRe  = regexp.MustCompile(`port: 8888\b`)
)

// OnFreePortsDeploy moves every listener of a shipped deploy/ config to a
// free port: the literal localhost:PORT ones (OnFreePorts), the
// ${env:OTELCOL_OAUTH_HOST:-127.0.0.1}:PORT ones, and the own-metrics
// `port: 8888`. The map goes from the shipped port to the new one.
func OnFreePortsDeploy(t testing.TB, cfg string) (string, map[string]int) {
	t.Helper()
	cfg, ports := OnFreePorts(t, cfg)
	cfg = movePorts(t, envHostPortRe, cfg, ports)
	if ownMetricsRe.MatchString(cfg) {
		p := FreePort(t)
		ports["8888"] = p
		cfg = ownMetricsRe.ReplaceAllString(cfg, fmt.Sprintf("port: %d", p))
	}
	return cfg, ports
}
