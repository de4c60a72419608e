package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

type ruleFile struct {
	Groups []struct {
		Name     string `yaml:"name"`
		Interval string `yaml:"interval"`
		Rules    []struct {
			Record      string            `yaml:"record"`
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func loadRules(t *testing.T, name string) ruleFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "deploy", "prometheus", name))
	require.NoError(t, err)
	var f ruleFile
	require.NoError(t, yaml.Unmarshal(raw, &f), name)
	require.NotEmpty(t, f.Groups, name)
	return f
}

// checkRuleFile parses every expression of a rule file and checks its names;
// recording rules join the catalog for the rules after them.
func checkRuleFile(t *testing.T, c *checker, name string) ruleFile {
	t.Helper()
	f := loadRules(t, name)
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			id := g.Name + "/" + r.Record + r.Alert
			problems, err := c.check(r.Expr)
			require.NoError(t, err, "%s: %s", id, r.Expr)
			assert.Empty(t, problems, "%s: %s", id, r.Expr)
			for _, a := range r.Annotations {
				// Annotation templates may only name labels the alert has.
				for _, l := range templateLabels(a) {
					_, onAlert := r.Labels[l]
					assert.True(t, onAlert || c.labelsIn(mustParse(t, c, r.Expr))[l],
						"%s: annotation uses $labels.%s, which the alert does not carry", id, l)
				}
			}
			if r.Record != "" {
				require.NoError(t, c.record(r.Record, r.Expr))
			}
		}
	}
	return f
}

func mustParse(t *testing.T, c *checker, expr string) parser.Expr {
	t.Helper()
	e, err := c.parser.ParseExpr(expr)
	require.NoError(t, err)
	return e
}

// templateLabels returns the label names used as {{ $labels.x }}.
func templateLabels(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "$labels.")
		if i < 0 {
			return out
		}
		s = s[i+len("$labels."):]
		j := strings.IndexFunc(s, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		})
		if j < 0 {
			j = len(s)
		}
		out = append(out, s[:j])
	}
}

func TestOAuthRulesUseContractNames(t *testing.T) {
	c := newChecker(contractCatalog(false))
	f := checkRuleFile(t, c, "oauth-rules.yaml")

	// Contract section 7: groups, recording rules and alerts with their
	// severity and priority.
	var groups []string
	records := map[string]bool{}
	alerts := map[string]map[string]string{}
	for _, g := range f.Groups {
		groups = append(groups, g.Name)
		assert.Equal(t, "30s", g.Interval, g.Name)
		for _, r := range g.Rules {
			if r.Record != "" {
				records[r.Record] = true
			} else {
				alerts[r.Alert] = r.Labels
				assert.NotEmpty(t, r.Annotations["summary"], r.Alert)
				assert.NotEmpty(t, r.Annotations["description"], r.Alert)
			}
		}
	}
	assert.Equal(t, []string{"oauth_slo", "oauth_security", "oauth_critical_alerts"}, groups)
	for _, r := range []string{
		"oauth:flow_success_rate:5m", "oauth:refresh_success_rate:5m",
		"oauth:flow_duration_seconds:p95", "oauth:refresh_duration_seconds:p95",
		"oauth:security_events_critical:rate5m", "oauth:integrity_violations:total",
	} {
		assert.True(t, records[r], "recording rule %s", r)
	}
	for alert, want := range map[string][2]string{
		"OAuthTokenReuseDetected":   {"critical", "P0"},
		"OAuthCodeInjectionAttempt": {"critical", "P0"},
		"OAuthFlowSuccessRateLow":   {"high", "P1"},
		"OAuthTokenRefreshSlow":     {"high", "P1"},
		"OAuthIntegrityViolations":  {"warning", "P2"},
		"OAuthActiveTokensHigh":     {"warning", "P2"},
	} {
		labels, ok := alerts[alert]
		if assert.True(t, ok, "alert %s", alert) {
			assert.Equal(t, want[0], labels["severity"], alert)
			assert.Equal(t, want[1], labels["priority"], alert)
		}
	}
}

func TestCollectorHealthRulesUseCollectorNames(t *testing.T) {
	c := newChecker(contractCatalog(true))
	f := checkRuleFile(t, c, "collector-health-rules.yaml")
	var alerts []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			assert.Contains(t, []string{"critical", "high", "warning"}, r.Labels["severity"], r.Alert)
		}
	}
	for _, a := range []string{
		"OtelcolReceiverRefusingData", "OtelcolExporterDroppingData",
		"OtelcolExporterSendFailing", "OtelcolExporterQueueNearCapacity",
	} {
		assert.True(t, slices.Contains(alerts, a), "alert %s", a)
	}
}

// The checker itself must catch what it is there for.
func TestCheckerRejectsUnknownNames(t *testing.T) {
	c := newChecker(contractCatalog(false))
	for expr, want := range map[string]string{
		`rate(oauth_flow_total[5m])`:                                        `unknown metric "oauth_flow_total"`,
		`oauth_flows_total{statuss="success"}`:                              `has no label "statuss"`,
		`sum by (reason) (oauth_flows_total)`:                               `by/without "reason"`,
		`histogram_quantile(0.9, rate(oauth_flow_duration_seconds[5m]))`:    `unknown metric "oauth_flow_duration_seconds"`,
		`oauth_active_tokens / on (provider) oauth_active_pkce_states`:      `on/ignoring/group "provider"`,
		`otelcol_exporter_queue_size`:                                       `unknown metric "otelcol_exporter_queue_size"`,
		`label_replace(oauth_active_tokens, "x", "$1", "provider", "(.*)")`: `label_replace reads "provider"`,
	} {
		problems, err := c.check(expr)
		require.NoError(t, err, expr)
		assert.Contains(t, strings.Join(problems, "\n"), want, expr)
	}
	_, err := c.check(`sum(rate(oauth_flows_total[5m])`)
	assert.Error(t, err, "a syntax error is an error")

	ok := []string{
		`histogram_quantile(0.95, sum by (le, status) (rate(oauth_token_refresh_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))`,
		`sum by (event_type, severity) (increase(oauth_security_events_total[5m]))`,
		`oauth_flow_duration_seconds_sum / oauth_flow_duration_seconds_count`,
	}
	for _, expr := range ok {
		problems, err := c.check(expr)
		require.NoError(t, err, expr)
		assert.Empty(t, problems, expr)
	}
}
