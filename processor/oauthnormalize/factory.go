package oauthnormalize

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/generichttp"
)

// NewFactory returns the oauth_normalize processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

// defaultMaxRememberedServers: authorization servers are few; the bound is
// against a flood of service names.
const defaultMaxRememberedServers = 1000

func createDefaultConfig() component.Config {
	on := Toggle{Enabled: true}
	return &Config{Join: defaultJoin(), Vocabularies: Vocabularies{
		Pino:           on,
		AuthPlaneAudit: on,
		AuthPlaneSpans: AuthPlane{Enabled: true, Provider: contract.ProviderAuthPlane},
		AuthPlaneSlog:  AuthPlane{Enabled: true, Provider: contract.ProviderAuthPlane},
		Keycloak:       KeycloakSpans{Enabled: true, Provider: contract.ProviderKeycloak},
		Hydra:          defaultHydra(),
		GenericHTTP: GenericHTTP{
			Enabled:              true,
			Endpoints:            generichttp.DefaultEndpoints(),
			ServerEndpoints:      generichttp.DefaultServerEndpoints(),
			MaxRememberedServers: defaultMaxRememberedServers,
		},
	}}
}

var capabilities = processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true})

func createTraces(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	n, err := acquire(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return newTracesProcessor(set, n, next), nil
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	n, err := acquire(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	p, err := processorhelper.NewLogs(ctx, set, cfg, next, n.processLogs, capabilities,
		processorhelper.WithShutdown(func(context.Context) error { release(set.ID, n); return nil }))
	if err != nil {
		release(set.ID, n)
	}
	return p, err
}
