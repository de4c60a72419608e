package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type dashPanel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	Datasource *dsRef                   `json:"datasource"`
	GridPos    struct{ H, W, X, Y int } `json:"gridPos"`
	Panels     []dashPanel              `json:"panels"`
	Targets    []struct {
		Datasource   *dsRef `json:"datasource"`
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
		RefID        string `json:"refId"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit       string   `json:"unit"`
			Min        *float64 `json:"min"`
			Max        *float64 `json:"max"`
			Thresholds struct {
				Mode  string `json:"mode"`
				Steps []struct {
					Color string   `json:"color"`
					Value *float64 `json:"value"`
				} `json:"steps"`
			} `json:"thresholds"`
			Custom struct {
				DrawStyle string `json:"drawStyle"`
				Stacking  struct {
					Mode string `json:"mode"`
				} `json:"stacking"`
			} `json:"custom"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

type dashboard struct {
	UID        string      `json:"uid"`
	Title      string      `json:"title"`
	Panels     []dashPanel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      json.RawMessage `json:"query"`
			Definition string          `json:"definition"`
			Datasource *dsRef          `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "deploy", "grafana", "oauth-dashboard.json"))
	require.NoError(t, err)
	var d dashboard
	require.NoError(t, json.Unmarshal(raw, &d))
	return d
}

// allPanels flattens rows.
func allPanels(ps []dashPanel) []dashPanel {
	var out []dashPanel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

const (
	promUID = "${datasource}"
	lokiUID = "${loki_datasource}"
)

func TestDashboardExpressionsUseContractNames(t *testing.T) {
	d := loadDashboard(t)
	// The collector's own metrics too: the source panels read oauth_normalize's.
	c := newChecker(contractCatalog(true))
	used := map[string]bool{}
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			ds := tg.Datasource
			if ds == nil {
				ds = p.Datasource
			}
			require.NotNil(t, ds, "panel %q has no datasource", p.Title)
			if ds.Type != "prometheus" {
				continue
			}
			assert.Equal(t, promUID, ds.UID, "panel %q must use the Prometheus datasource variable", p.Title)
			problems, err := c.check(tg.Expr)
			require.NoError(t, err, "panel %q: %s", p.Title, tg.Expr)
			assert.Empty(t, problems, "panel %q: %s", p.Title, tg.Expr)
			e, err := c.parser.ParseExpr(grafanaVars.Replace(tg.Expr))
			require.NoError(t, err)
			kept := c.labelsIn(e)
			for _, l := range legendLabels(tg.LegendFormat) {
				assert.True(t, kept[l], "panel %q: legend {{%s}} is not a label of %s", p.Title, l, tg.Expr)
			}
			for name := range c.catalog {
				if strings.Contains(tg.Expr, name) {
					used[name] = true
				}
			}
		}
	}
	// Template variables of the Prometheus datasource query contract names too.
	for _, v := range d.Templating.List {
		if v.Type != "query" || v.Datasource == nil || v.Datasource.Type != "prometheus" {
			continue
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(v.Definition, "label_values("), ")")
		i := strings.LastIndex(inner, ",")
		require.Positive(t, i, "variable %s: %s", v.Name, v.Definition)
		selector, label := strings.TrimSpace(inner[:i]), strings.TrimSpace(inner[i+1:])
		problems, err := c.check(selector)
		require.NoError(t, err, v.Definition)
		assert.Empty(t, problems, v.Definition)
		e, err := c.parser.ParseExpr(selector)
		require.NoError(t, err)
		assert.True(t, c.labelsIn(e)[label], "variable %s: %s has no label %s", v.Name, selector, label)
	}
	// Every metric of the contract is on the dashboard.
	for _, m := range contract.Metrics {
		name := m.Name
		if m.Kind == contract.Histogram {
			name += "_bucket"
		}
		assert.True(t, used[name], "no panel shows %s", name)
	}
}

func TestDashboardLayout(t *testing.T) {
	d := loadDashboard(t)
	assert.NotEmpty(t, d.UID)
	panels := allPanels(d.Panels)
	byTitle := map[string]dashPanel{}
	ids := map[int]bool{}
	for _, p := range panels {
		assert.False(t, ids[p.ID], "duplicate panel id %d", p.ID)
		ids[p.ID] = true
		byTitle[p.Title] = p
		assert.LessOrEqual(t, p.GridPos.X+p.GridPos.W, 24, "panel %q is wider than the grid", p.Title)
		assert.Positive(t, p.GridPos.H, p.Title)
	}

	// Datasource variables.
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
		if v.Type == "datasource" {
			var q string
			require.NoError(t, json.Unmarshal(v.Query, &q))
			vars[v.Name] += ":" + q
		}
	}
	assert.Equal(t, "datasource:prometheus", vars["datasource"])
	assert.Equal(t, "datasource:loki", vars["loki_datasource"])

	// Flow success gauge: red below 95%, yellow 95-98%, green above 98%.
	g, ok := byTitle["Flow success rate (5m)"]
	require.True(t, ok)
	assert.Equal(t, "gauge", g.Type)
	def := g.FieldConfig.Defaults
	assert.Equal(t, "percentunit", def.Unit)
	require.NotNil(t, def.Min)
	require.NotNil(t, def.Max)
	assert.Equal(t, 0.0, *def.Min)
	assert.Equal(t, 1.0, *def.Max)
	steps := def.Thresholds.Steps
	require.Len(t, steps, 3)
	assert.Equal(t, "red", steps[0].Color)
	assert.Nil(t, steps[0].Value)
	assert.Equal(t, "yellow", steps[1].Color)
	assert.Equal(t, 0.95, *steps[1].Value)
	assert.Equal(t, "green", steps[2].Color)
	assert.Equal(t, 0.98, *steps[2].Value)

	// Refresh p50/p95/p99.
	r := byTitle["Token refresh duration p50 / p95 / p99"]
	require.Len(t, r.Targets, 3)
	for i, q := range []string{"0.5", "0.95", "0.99"} {
		assert.Contains(t, r.Targets[i].Expr, "histogram_quantile("+q+",")
		assert.Contains(t, r.Targets[i].Expr, "oauth_token_refresh_duration_seconds_bucket")
	}
	assert.Equal(t, "s", r.FieldConfig.Defaults.Unit)

	// Security events by type and severity: stacked bars.
	s := byTitle["Security events by type and severity"]
	assert.Equal(t, "bars", s.FieldConfig.Defaults.Custom.DrawStyle)
	assert.Equal(t, "normal", s.FieldConfig.Defaults.Custom.Stacking.Mode)
	require.Len(t, s.Targets, 1)
	assert.Contains(t, s.Targets[0].Expr, "sum by (event_type, severity)")

	// Operations per minute: flows, refreshes, PKCE validations.
	ops := byTitle["Operations per minute"]
	var opsExprs []string
	for _, tg := range ops.Targets {
		opsExprs = append(opsExprs, tg.Expr)
	}
	for _, m := range []string{contract.MetricFlowsTotal, contract.MetricTokenRefreshTotal, contract.MetricPKCEValidationsTotal} {
		assert.True(t, slices.ContainsFunc(opsExprs, func(e string) bool { return strings.Contains(e, m) }), "operations per minute lacks %s", m)
	}

	// The Loki panel shows every security event name of the contract.
	l, ok := byTitle["Security event logs"]
	require.True(t, ok)
	assert.Equal(t, "logs", l.Type)
	require.Len(t, l.Targets, 1)
	require.NotNil(t, l.Targets[0].Datasource)
	assert.Equal(t, lokiUID, l.Targets[0].Datasource.UID)
	assert.Equal(t, "loki", l.Targets[0].Datasource.Type)
	for _, f := range contract.Findings {
		assert.Contains(t, l.Targets[0].Expr, f.EventName)
	}
}

// legendLabels returns the {{label}} references of a Grafana legend format.
func legendLabels(format string) []string {
	var out []string
	for {
		i := strings.Index(format, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(format[i:], "}}")
		if j < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(format[i+2:i+j]))
		format = format[i+j+2:]
	}
}
