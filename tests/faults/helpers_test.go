//go:build faults

package faults

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

var envHostPortRe = regexp.MustCompile(`(\$\{env:OTELCOL_OAUTH_HOST:-[0-9.]+\}):(\d{2,5})\b`)

// onFreePorts moves every listener of a shipped deploy/ config to a free
// port: the literal localhost:PORT ones (testutil.OnFreePorts), the
// ${env:OTELCOL_OAUTH_HOST:-127.0.0.1}:PORT ones, and the own-metrics
// `port: 8888`. The map goes from the shipped port to the new one.
func onFreePorts(t *testing.T, cfg string) (string, map[string]int) {
	t.Helper()
	cfg, ports := testutil.OnFreePorts(t, cfg)
	cfg = envHostPortRe.ReplaceAllStringFunc(cfg, func(m string) string {
		sub := envHostPortRe.FindStringSubmatch(m)
		p, ok := ports[sub[2]]
		if !ok {
			p = testutil.FreePort(t)
			ports[sub[2]] = p
		}
		return fmt.Sprintf("%s:%d", sub[1], p)
	})
	re := regexp.MustCompile(`port: 8888\b`)
	if re.MatchString(cfg) {
		p := testutil.FreePort(t)
		ports["8888"] = p
		cfg = re.ReplaceAllString(cfg, fmt.Sprintf("port: %d", p))
	}
	return cfg, ports
}

// assertNoSecret fails when text contains one of the secrets, naming where
// (line number and the secret's length) without printing text or the secret.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if i := strings.Index(text, s); i >= 0 {
			t.Errorf("%s: a raw secret (%d bytes, prefix %q) appears on line %d", what, len(s), s[:3], strings.Count(text[:i], "\n")+1)
		}
	}
}
