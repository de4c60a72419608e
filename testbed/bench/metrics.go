package bench

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// The collector's own metrics the memory scenario reads, as its Prometheus
// reader names them (otelcol_ prefix, no unit or _total suffix).
const (
	metricHeapAlloc    = "otelcol_process_runtime_heap_alloc_bytes"
	metricStateEntries = "otelcol_processor_oauth_security_state_entries"
	metricEvictions    = "otelcol_processor_oauth_security_evictions"
)

// scrapeValue sums the samples of the metric named exactly name in a
// Prometheus text exposition (what parsed, when part of it does not).
func scrapeValue(body []byte, name string) float64 {
	fams, _ := testutil.ParseMetrics(bytes.NewReader(body))
	return testutil.SumSamples(testutil.Samples(fams), name)
}

// upstreamLabels maps signal_to_metrics label names (attribute names with
// dots as underscores) onto the contract's label names.
var upstreamLabels = map[string]string{
	"oauth_provider": contract.LabelProvider, "oauth_status": contract.LabelStatus, "oauth_reason": contract.LabelReason,
	"oauth_discovery_method": contract.LabelMethod, "oauth_security_event_type": contract.LabelEventType,
	"oauth_security_severity": contract.LabelSeverity, "oauth_integrity_violation": contract.LabelViolationType,
	"oauth_grant_type": contract.LabelGrantType,
}

// CompareMetrics compares expected counters with a scrape. Series are
// summed over labels the contract does not name (job, instance, resource
// attributes); expected keys use oauthgen.MetricKey.
func CompareMetrics(expected map[string]float64, scrape []byte) (checked int, mismatches []string) {
	labelsOf := map[string][]string{}
	for _, m := range contract.Metrics {
		labelsOf[m.Name] = m.Labels
	}
	got := map[string]float64{}
	names := map[string]bool{}
	for k := range expected {
		n, _, _ := strings.Cut(k, "{")
		names[n] = true
	}
	fams, err := testutil.ParseMetrics(bytes.NewReader(scrape))
	if err != nil {
		mismatches = append(mismatches, "scrape does not parse: "+err.Error())
	}
	for _, s := range testutil.Samples(fams) {
		if !names[s.Name] {
			continue
		}
		var kv []string
		norm := map[string]string{}
		for k, v := range s.Labels {
			if u, ok := upstreamLabels[k]; ok {
				k = u
			}
			norm[k] = v
		}
		for _, l := range labelsOf[s.Name] {
			kv = append(kv, l, norm[l])
		}
		got[oauthgen.MetricKey(s.Name, kv...)] += s.Value
	}
	keys := make([]string, 0, len(expected))
	for k := range expected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		checked++
		if got[k] != expected[k] {
			mismatches = append(mismatches, fmt.Sprintf("%s: want %.0f got %.0f", k, expected[k], got[k]))
		}
	}
	return checked, mismatches
}
