package testutil

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Sample is one line of a Prometheus text exposition: a counter, gauge or
// untyped value, or a histogram's _bucket{le}, _sum and _count, or a
// summary's {quantile}, _sum and _count.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// ParseMetrics parses a Prometheus text exposition (format 0.0.4) with the
// Prometheus text parser.
func ParseMetrics(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(r)
}

// ScrapeMetrics GETs url (a /metrics endpoint) and returns its samples.
func ScrapeMetrics(url string) ([]Sample, error) {
	body, err := HTTPGet(url)
	if err != nil {
		return nil, err
	}
	fams, err := ParseMetrics(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return Samples(fams), nil
}

// HTTPGet returns the body of url's answer, an error unless it is 200.
func HTTPGet(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

// SumSamples sums the samples named exactly name whose labels hold every
// pair of labels (name, value, name, value, ...).
func SumSamples(samples []Sample, name string, labels ...string) float64 {
	total := 0.0
	for _, s := range samples {
		if s.Name == name && hasLabels(s.Labels, labels) {
			total += s.Value
		}
	}
	return total
}

func hasLabels(have map[string]string, want []string) bool {
	for i := 0; i+1 < len(want); i += 2 {
		if v, ok := have[want[i]]; !ok || v != want[i+1] {
			return false
		}
	}
	return true
}

// Samples flattens families into the samples of the exposition.
func Samples(fams map[string]*dto.MetricFamily) []Sample {
	var out []Sample
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			add := func(suffix string, v float64, kv ...string) {
				l := labels
				if len(kv) > 0 {
					l = WithLabels(labels, kv...)
				}
				out = append(out, Sample{Name: name + suffix, Labels: l, Value: v})
			}
			switch fam.GetType() {
			case dto.MetricType_COUNTER:
				add("", m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				add("", m.GetGauge().GetValue())
			case dto.MetricType_UNTYPED:
				add("", m.GetUntyped().GetValue())
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				add("_count", float64(h.GetSampleCount()))
				add("_sum", h.GetSampleSum())
				for _, b := range h.GetBucket() {
					add("_bucket", float64(b.GetCumulativeCount()), "le", FormatBound(b.GetUpperBound()))
				}
			case dto.MetricType_SUMMARY:
				s := m.GetSummary()
				add("_count", float64(s.GetSampleCount()))
				add("_sum", s.GetSampleSum())
				for _, q := range s.GetQuantile() {
					add("", q.GetValue(), "quantile", FormatBound(q.GetQuantile()))
				}
			}
		}
	}
	return out
}

// FormatBound prints a bucket bound or quantile as the exposition does.
func FormatBound(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// WithLabels is a copy of m with the pairs kv (name, value, ...) set.
func WithLabels(m map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
