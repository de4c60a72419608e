package oauthnormalize

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/join"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadata"
)

// joinObserver is the join buffer's self-telemetry (join.Observer): what
// it holds, why it released, and what the next consumer refused.
type joinObserver struct {
	tb     *metadata.TelemetryBuilder
	logger *zap.Logger
	reason [join.NumReasons]metric.AddOption
}

func newJoinObserver(tb *metadata.TelemetryBuilder, logger *zap.Logger) *joinObserver {
	o := &joinObserver{tb: tb, logger: logger}
	for r, name := range join.ReasonNames {
		o.reason[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", name)))
	}
	return o
}

func (o *joinObserver) Held(ctx context.Context, spans, traces int64) {
	o.tb.ProcessorOauthNormalizeJoinHeldSpans.Add(ctx, spans)
	if traces != 0 {
		o.tb.ProcessorOauthNormalizeJoinHeldTraces.Add(ctx, traces)
	}
}

func (o *joinObserver) Released(ctx context.Context, reason join.Reason, traces int64) {
	o.tb.ProcessorOauthNormalizeJoinReleases.Add(ctx, traces, o.reason[reason])
}

// EmitFailed logs the refusal without the error's text, which may quote
// the spans (not yet redacted here): its kind and Go type only.
func (o *joinObserver) EmitFailed(ctx context.Context, reason join.Reason, spans int, err error) {
	o.tb.ProcessorOauthNormalizeJoinConsumerErrors.Add(ctx, 1, o.reason[reason])
	o.logger.Error("oauth_normalize: the next consumer refused spans released by the join buffer",
		zap.String("reason", join.ReasonNames[reason]), zap.Int("spans", spans),
		zap.Bool("permanent", consumererror.IsPermanent(err)), zap.String("error_type", fmt.Sprintf("%T", err)))
}
