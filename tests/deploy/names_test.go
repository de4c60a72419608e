// Package deploy tests what the distribution ships under deploy/: Prometheus
// rules, the Grafana dashboard, collector configs, Kubernetes manifests and the
// Dockerfile. Tests without a build tag need nothing but Go; those tagged
// `deploy` run the built binary and promtool (`make test-deploy`).
package deploy

import (
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// repoRoot is the directory holding go.mod.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// scrapeLabels are added by Prometheus to every scraped series.
var scrapeLabels = []string{"job", "instance"}

// otelcolMetrics lists the collector's internal metrics the health rules may
// use, with their labels, exactly as bin/otelcol-oauth v0.161.0 serves them on
// its telemetry endpoint: counters carry no `_total` suffix, and the service
// name, version and instance id are on target_info only. The attributes come
// from the metadata.yaml of receiverhelper, exporterhelper, processorhelper and
// memorylimiterprocessor (send_failed has error and server details at the
// detailed level).
var otelcolMetrics = func() map[string][]string {
	m := map[string][]string{}
	for _, sig := range []string{"spans", "metric_points", "log_records"} {
		m["otelcol_receiver_accepted_"+sig] = []string{"receiver", "transport"}
		m["otelcol_receiver_refused_"+sig] = []string{"receiver", "transport"}
		m["otelcol_receiver_failed_"+sig] = []string{"receiver", "transport"}
		m["otelcol_exporter_sent_"+sig] = []string{"exporter", "server_address", "server_port", "url_path"}
		m["otelcol_exporter_send_failed_"+sig] = []string{"exporter", "server_address", "server_port", "url_path", "error_type", "error_permanent"}
		m["otelcol_exporter_enqueue_failed_"+sig] = []string{"exporter"}
		m["otelcol_processor_memory_limiter_accepted_"+sig] = []string{"processor"}
		m["otelcol_processor_memory_limiter_refused_"+sig] = []string{"processor"}
	}
	m["otelcol_exporter_queue_size"] = []string{"exporter", "data_type"}
	m["otelcol_exporter_queue_capacity"] = []string{"exporter", "data_type"}
	m["otelcol_exporter_in_flight_requests"] = []string{"exporter", "data_type"}
	m["otelcol_processor_incoming_items"] = []string{"processor", "otel_signal"}
	m["otelcol_processor_outgoing_items"] = []string{"processor", "otel_signal"}
	// oauth_audit's own metrics (receiver/oauthaudit/metadata.yaml), as the
	// binary serves them: no component label, the source as an attribute.
	for _, n := range []string{"events_received", "events_skipped", "polls", "poll_errors", "pushes_rejected"} {
		m["otelcol_receiver_oauth_audit_"+n] = []string{"source", "reason", "mode"}
	}
	for _, n := range []string{"events_delivered", "pages", "auth_failures", "poll_lag"} {
		m["otelcol_receiver_oauth_audit_"+n] = []string{"source"}
	}
	// oauth_security's shared state (processor/oauthsecurity/metadata.yaml).
	m["otelcol_processor_oauth_security_shared_state_up"] = nil
	m["otelcol_processor_oauth_security_shared_state_errors"] = nil
	// oauth_normalize's own metadata.yaml.
	m["otelcol_processor_oauth_normalize_records_mapped"] = []string{"vocabulary"}
	m["otelcol_processor_oauth_normalize_records_unmapped"] = []string{"vocabulary", "reason"}
	m["otelcol_processor_oauth_normalize_join_consumer_errors"] = []string{"reason"}
	m["otelcol_processor_oauth_normalize_join_releases"] = []string{"reason"}
	m["otelcol_processor_oauth_normalize_join_held_spans"] = nil
	m["otelcol_processor_oauth_normalize_join_held_traces"] = nil
	m["otelcol_process_uptime"] = nil
	m["otelcol_process_memory_rss"] = nil
	m["target_info"] = []string{"service_instance_id", "service_name", "service_version"}
	return m
}()

// metricCatalog maps every metric name an expression may use to the labels it
// may carry (scrape labels included).
type metricCatalog map[string]map[string]bool

// contractCatalog is the contract's metrics table as Prometheus serves it:
// histograms as _bucket (with le), _sum and _count, plus `up`. With health
// set, the collector's internal metrics are allowed too.
func contractCatalog(health bool) metricCatalog {
	c := metricCatalog{}
	add := func(name string, labels ...[]string) {
		set := map[string]bool{}
		for _, l := range scrapeLabels {
			set[l] = true
		}
		for _, ls := range labels {
			for _, l := range ls {
				set[l] = true
			}
		}
		c[name] = set
	}
	for _, m := range contract.Metrics {
		switch m.Kind {
		case contract.Histogram:
			add(m.Name+"_bucket", m.Labels, []string{"le"})
			add(m.Name+"_sum", m.Labels)
			add(m.Name+"_count", m.Labels)
		default:
			add(m.Name, m.Labels)
		}
	}
	// Prometheus's own per-target series: 1 when the scrape succeeded.
	add("up")
	if health {
		for name, labels := range otelcolMetrics {
			add(name, labels)
		}
	}
	return c
}

// grafanaVar matches a Grafana template variable: $name, ${name} or
// ${name:format}.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m", "${__rate_interval}", "5m",
	"$__interval", "1m", "${__interval}", "1m",
	"$__range", "1h", "${__range}", "1h",
)

// checker parses PromQL and checks every metric and label it names.
type checker struct {
	catalog metricCatalog
	parser  parser.Parser
}

func newChecker(c metricCatalog) *checker {
	return &checker{catalog: c, parser: parser.NewParser(parser.Options{})}
}

// record adds a recording rule's output to the catalog, with the labels its
// expression can keep.
func (c *checker) record(name string, expr string) error {
	e, err := c.parser.ParseExpr(expr)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for l := range c.labelsIn(e) {
		set[l] = true
	}
	c.catalog[name] = set
	return nil
}

// labelsIn is the union of the labels the selectors under n may carry, plus
// those that label_replace writes.
func (c *checker) labelsIn(n parser.Node) map[string]bool {
	out := map[string]bool{}
	parser.Inspect(n, func(node parser.Node, _ []parser.Node) error {
		switch x := node.(type) {
		case *parser.VectorSelector:
			maps.Copy(out, c.catalog[selectorName(x)])
		case *parser.Call:
			if x.Func.Name == "label_replace" && len(x.Args) > 1 {
				if s, ok := x.Args[1].(*parser.StringLiteral); ok {
					out[s.Val] = true
				}
			}
		}
		return nil
	})
	return out
}

func selectorName(v *parser.VectorSelector) string {
	if v.Name != "" {
		return v.Name
	}
	for _, m := range v.LabelMatchers {
		if m.Name == "__name__" {
			return m.Value
		}
	}
	return ""
}

// check parses expr and returns one problem per unknown metric or label.
func (c *checker) check(expr string) (problems []string, err error) {
	e, err := c.parser.ParseExpr(grafanaVars.Replace(expr))
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		switch x := node.(type) {
		case *parser.VectorSelector:
			name := selectorName(x)
			labels, ok := c.catalog[name]
			if !ok {
				bad("unknown metric %q", name)
				return nil
			}
			for _, m := range x.LabelMatchers {
				if m.Name == "__name__" {
					continue
				}
				if !labels[m.Name] {
					bad("metric %q has no label %q", name, m.Name)
				}
			}
		case *parser.AggregateExpr:
			in := c.labelsIn(x.Expr)
			for _, l := range x.Grouping {
				if !in[l] {
					bad("%s by/without %q: no metric under it has that label", x.Op, l)
				}
			}
		case *parser.BinaryExpr:
			if x.VectorMatching == nil {
				return nil
			}
			in := c.labelsIn(x)
			for _, l := range append(slices.Clone(x.VectorMatching.MatchingLabels), x.VectorMatching.Include...) {
				if !in[l] {
					bad("%s on/ignoring/group %q: no metric on either side has that label", x.Op, l)
				}
			}
		case *parser.Call:
			if x.Func.Name == "label_replace" && len(x.Args) == 5 {
				if s, ok := x.Args[3].(*parser.StringLiteral); ok && s.Val != "" && !c.labelsIn(x.Args[0])[s.Val] {
					bad("label_replace reads %q, which no metric under it has", s.Val)
				}
			}
		}
		return nil
	})
	return problems, nil
}
