package testutil

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const exposition = `# TYPE oauth_flows_total counter
oauth_flows_total{provider="github",status="success"} 2
oauth_flows_total{provider="google",status="success"} 3
oauth_flows_total_extra{provider="github"} 100
# TYPE oauth_refresh_seconds histogram
oauth_refresh_seconds_bucket{le="0.5"} 1
oauth_refresh_seconds_bucket{le="+Inf"} 4
oauth_refresh_seconds_sum 7.5
oauth_refresh_seconds_count 4
`

func TestSamplesMatchNamesExactly(t *testing.T) {
	fams, err := ParseMetrics(strings.NewReader(exposition))
	require.NoError(t, err)
	s := Samples(fams)
	assert.Equal(t, 5.0, SumSamples(s, "oauth_flows_total"), "oauth_flows_total_extra is another metric")
	assert.Equal(t, 2.0, SumSamples(s, "oauth_flows_total", "provider", "github"))
	assert.Zero(t, SumSamples(s, "oauth_flows_total", "provider", "gitlab"))
	assert.Equal(t, 4.0, SumSamples(s, "oauth_refresh_seconds_count"))
	assert.Equal(t, 7.5, SumSamples(s, "oauth_refresh_seconds_sum"))
	assert.Equal(t, 1.0, SumSamples(s, "oauth_refresh_seconds_bucket", "le", "0.5"))
	assert.Equal(t, 4.0, SumSamples(s, "oauth_refresh_seconds_bucket", "le", "+Inf"))
}
