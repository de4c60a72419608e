package oauthsecurity

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/redisstate"
)

// NewFactory returns the oauth_security processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		RefreshTokenTTL:    720 * time.Hour,
		CodeTTL:            10 * time.Minute,
		StateTTL:           10 * time.Minute,
		MaxEntries:         1_000_000,
		CheckpointInterval: 5 * time.Second,
		SharedState:        configoptional.Default(redisstate.Default()),
	}
}

var capabilities = processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true})

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	d, err := acquireDetector(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	l := &lifecycle{d: d}
	return processorhelper.NewTraces(ctx, set, cfg, next, d.processTraces, capabilities,
		processorhelper.WithStart(l.start), processorhelper.WithShutdown(l.shutdown))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	d, err := acquireDetector(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	l := &lifecycle{d: d}
	return processorhelper.NewLogs(ctx, set, cfg, next, d.processLogs, capabilities,
		processorhelper.WithStart(l.start), processorhelper.WithShutdown(l.shutdown))
}
