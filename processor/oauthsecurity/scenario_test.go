package oauthsecurity

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/processor/processortest"

	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

// TestLabelledScenarioPrecisionRecall replays thousands of benign flows with
// attacks injected at known points and requires every attack found once and
// nothing else.
func TestLabelledScenarioPrecisionRecall(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		sc := scenario.Generate(scenario.Config{
			Seed: seed, Users: 2000, Attacks: 240, Key: testkey.Key, Start: t0, GracePeriod: 2 * time.Second,
		})
		cfg := testConfig()
		cfg.ReuseGracePeriod = 2 * time.Second
		d, err := newDetector(cfg, processortest.NewNopSettings(metadata.Type))
		require.NoError(t, err)
		var now time.Time
		d.now = func() time.Time { return now }
		scorer := scenario.NewScorer()
		normalize := newNormalizer(t)
		for _, b := range sc.Batches(200) {
			now = b.Now
			if b.Signal == scenario.Span {
				td, err := d.processTraces(context.Background(), b.Traces)
				require.NoError(t, err)
				scorer.Traces(td)
			} else {
				ld, err := d.processLogs(context.Background(), normalize(b.Logs))
				require.NoError(t, err)
				scorer.Logs(ld)
			}
		}
		s := scorer.Score(sc)
		t.Logf("seed %d: %d records, %d attacks: TP %d FP %d FN %d duplicates %d precision %.3f recall %.3f",
			seed, len(sc.Records), len(sc.Attacks), s.TruePositives, s.FalsePositives, s.FalseNegatives, s.Duplicates, s.Precision, s.Recall)
		assert.Empty(t, s.Unexpected)
		assert.Equal(t, 1.0, s.Precision)
		assert.Equal(t, 1.0, s.Recall)
		assert.Zero(t, s.Duplicates, "an incident is annotated once")
		assert.Greater(t, len(sc.Records), 50_000)
	}
}

func TestScenarioDeterministic(t *testing.T) {
	cfg := scenario.Config{Seed: 7, Users: 50, Attacks: 24, Key: testkey.Key, Start: t0}
	a, b := scenario.Generate(cfg), scenario.Generate(cfg)
	require.Equal(t, len(a.Records), len(b.Records))
	assert.Equal(t, a.Attacks, b.Attacks)
	for i := range a.Records {
		assert.Equal(t, a.Records[i].Attrs, b.Records[i].Attrs)
	}
	for _, r := range a.Records {
		for k, v := range r.Attrs {
			assert.NotContains(t, v, "refresh-7-", k) // only fingerprints leave the generator
		}
	}
}

// TestScenarioBenignTrafficIsHard checks the benign traffic really exercises
// the grace window: without it, concurrent refreshes look like reuse.
func TestScenarioBenignTrafficIsHard(t *testing.T) {
	sc := scenario.Generate(scenario.Config{Seed: 1, Users: 300, Key: testkey.Key, Start: t0, GracePeriod: 2 * time.Second})
	d, err := newDetector(testConfig(), processortest.NewNopSettings(metadata.Type)) // reuse_grace_period 0
	require.NoError(t, err)
	var now time.Time
	d.now = func() time.Time { return now }
	scorer := scenario.NewScorer()
	normalize := newNormalizer(t)
	for _, b := range sc.Batches(200) {
		now = b.Now
		if b.Signal == scenario.Span {
			td, _ := d.processTraces(context.Background(), b.Traces)
			scorer.Traces(td)
		} else {
			ld, _ := d.processLogs(context.Background(), normalize(b.Logs))
			scorer.Logs(ld)
		}
	}
	assert.Positive(t, scorer.Score(sc).FalsePositives)
}
