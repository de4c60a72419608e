package oauthfindings

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthfindings/internal/metadata"
)

// NewFactory returns the oauth_findings connector factory.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithTracesToLogs(createTracesToLogs, metadata.TracesToLogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		ResourceAttributes: []string{
			"service.name", "service.namespace", "service.instance.id", "deployment.environment.name",
		},
	}
}

func createTracesToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Traces, error) {
	return newConnector(cfg.(*Config), set, next), nil
}
