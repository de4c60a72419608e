package oauthspanmetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Start emits at once, so the first scrape after the collector is healthy
// has the label-less series at 0 instead of waiting a flush_interval (15 s
// by default, far longer than this test).
func TestFlushAtStart(t *testing.T) {
	h := newHarness(t, defaultConfig(), "start", nil, nil)
	all := h.sink.AllMetrics()
	require.Len(t, all, 1, "one emission at start, before any tick")
	md := all[0]
	require.Equal(t, 1, md.ResourceMetrics().Len(), "only the group without resource attributes")
	assert.Equal(t, 0, md.ResourceMetrics().At(0).Resource().Attributes().Len())
	n := 0
	for _, spec := range contract.Metrics {
		if len(spec.Labels) > 0 || spec.Kind == contract.Histogram {
			continue
		}
		n++
		assert.Zero(t, mustPoint(t, md, "", spec.Name), spec.Name)
	}
	assert.Equal(t, n, md.MetricCount(), "the label-less counters and gauges, nothing else")
}
