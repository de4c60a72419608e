package oauthnormalize

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// counts are one batch's verdicts, added to the metrics once per batch.
type counts [vocab.NumVocabularies][vocab.NumReasons]int64

// add counts a claimed record.
func (c *counts) add(vocabulary int, v vocab.Verdict) {
	if v.Claimed {
		c[vocabulary][v.Reason]++
	}
}

// telemetry is the processor's own metrics, with their attribute sets
// built once.
type telemetry struct {
	tb       *metadata.TelemetryBuilder
	mapped   [vocab.NumVocabularies]metric.AddOption
	unmapped [vocab.NumVocabularies][vocab.NumReasons]metric.AddOption
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	t := &telemetry{tb: tb}
	for v, name := range vocab.Names {
		t.mapped[v] = metric.WithAttributeSet(attribute.NewSet(attribute.String("vocabulary", name)))
		for r := vocab.Mapped + 1; r < vocab.NumReasons; r++ {
			t.unmapped[v][r] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("vocabulary", name), attribute.String("reason", vocab.ReasonNames[r])))
		}
	}
	return t, nil
}

// record adds one batch's counts.
func (t *telemetry) record(ctx context.Context, c *counts) {
	for v := range c {
		if n := c[v][vocab.Mapped]; n > 0 {
			t.tb.ProcessorOauthNormalizeRecordsMapped.Add(ctx, n, t.mapped[v])
		}
		for r := vocab.Mapped + 1; r < vocab.NumReasons; r++ {
			if n := c[v][r]; n > 0 {
				t.tb.ProcessorOauthNormalizeRecordsUnmapped.Add(ctx, n, t.unmapped[v][r])
			}
		}
	}
}

func (t *telemetry) shutdown() { t.tb.Shutdown() }
