package oauthsafeerrors

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-oauth/otelcol-oauth/extension/oauthsafeerrors/internal/metadata"
)

// NewFactory returns the oauth_safe_errors extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{MinTokenLength: 16, Mask: "[REDACTED]"}
}

func create(_ context.Context, _ extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newMiddleware(cfg.(*Config)), nil
}
