package oauthspanmetrics

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// metricsConnector will derive the contract metrics (issue 5); until then it
// consumes traces and logs and emits nothing.
type metricsConnector struct {
	component.StartFunc
	component.ShutdownFunc
	cfg  *Config
	next consumer.Metrics
}

func newConnector(cfg *Config, _ connector.Settings, next consumer.Metrics) *metricsConnector {
	return &metricsConnector{cfg: cfg, next: next}
}

func (c *metricsConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *metricsConnector) ConsumeTraces(context.Context, ptrace.Traces) error { return nil }

func (c *metricsConnector) ConsumeLogs(context.Context, plog.Logs) error { return nil }
