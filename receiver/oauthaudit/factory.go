package oauthaudit

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

// NewFactory returns the oauth_audit receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

// createDefaultConfig enables neither mode; each section, once present in the
// configuration, starts from its defaults.
func createDefaultConfig() component.Config {
	return &Config{
		Pull: configoptional.Default(defaultPullConfig()),
		Push: configoptional.Default(defaultPushConfig()),
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newAuditReceiver(cfg.(*Config), set, next)
}
