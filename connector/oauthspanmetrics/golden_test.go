package oauthspanmetrics

import (
	"context"
	"flag"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the expected golden files")

// TestGolden sends testdata/golden/traces.yaml then logs.yaml through one
// connector (both sides) and compares the flush with the case's own golden
// file, testdata/golden/<case name>.yaml, as countconnector does. The
// comments in the input files say what each record must contribute; the
// expected files were reviewed against them, not just recorded.
func TestGolden(t *testing.T) {
	sidesServer := defaultConfig()
	sidesServer.Sides = []string{"server"}
	noExtended := defaultConfig()
	noExtended.ExtendedMetrics = false

	for _, tc := range []struct {
		name string
		cfg  *Config
	}{
		{"default", defaultConfig()},
		{"sides_server", sidesServer},
		{"no_extended", noExtended},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "golden")
			td, err := golden.ReadTraces(filepath.Join(dir, "traces.yaml"))
			require.NoError(t, err)
			ld, err := golden.ReadLogs(filepath.Join(dir, "logs.yaml"))
			require.NoError(t, err)

			h := newHarness(t, tc.cfg, "golden_"+tc.name, nil, nil)
			require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
			require.NoError(t, h.logs.ConsumeLogs(context.Background(), ld))
			got := h.flush()

			path := filepath.Join(dir, tc.name+".yaml")
			if *update {
				require.NoError(t, golden.WriteMetricsToFile(path, got))
				return
			}
			want, err := golden.ReadMetrics(path)
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(want, got,
				pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
				pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreResourceMetricsOrder()))
		})
	}
}
