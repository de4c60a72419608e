package oauthsecurity

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// record counts and logs a batch's findings and evictions. It runs after
// d.mu is released.
func (d *detector) record(ctx context.Context, found []contract.Mark, evicted int64) {
	for _, f := range found {
		d.tb.ProcessorOauthSecurityFindings.Add(ctx, 1, metric.WithAttributes(
			attribute.String("event_type", f.EventType), attribute.String("source", f.Source)))
		d.logger.Info("OAuth security finding",
			zap.String("event_type", f.EventType), zap.String("source", f.Source), zap.String("rule", f.Rule))
	}
	if evicted > 0 {
		d.tb.ProcessorOauthSecurityEvictions.Add(ctx, evicted)
	}
}
