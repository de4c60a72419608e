package oauthspanmetrics

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
)

// NewFactory returns the oauth_span_metrics connector factory.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithTracesToMetrics(createTracesToMetrics, metadata.TracesToMetricsStability),
		connector.WithLogsToMetrics(createLogsToMetrics, metadata.LogsToMetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		FlushInterval: 15 * time.Second,
		ResourceAttributes: []string{
			"service.name", "service.namespace", "service.instance.id", "deployment.environment.name",
		},
		FlowTTL:         10 * time.Minute,
		PKCEStateTTL:    10 * time.Minute,
		MaxProviders:    50,
		ExtendedMetrics: true,
	}
}

func createTracesToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
	return newConnector(cfg.(*Config), set, next)
}

func createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	return newConnector(cfg.(*Config), set, next)
}
