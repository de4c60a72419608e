package oauthspanmetrics

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// metricsConnector is one side (traces or logs) of an oauth_span_metrics
// connector; both sides of one component ID share an aggregator.
type metricsConnector struct {
	agg      *aggregator
	shutdown sync.Once
}

func newConnector(cfg *Config, set connector.Settings, next consumer.Metrics) (*metricsConnector, error) {
	a, err := acquire(set, cfg, next)
	if err != nil {
		return nil, err
	}
	return &metricsConnector{agg: a}, nil
}

func (c *metricsConnector) Start(ctx context.Context, host component.Host) error {
	return c.agg.startOnce(ctx, host)
}

func (c *metricsConnector) Shutdown(ctx context.Context) error {
	var err error
	c.shutdown.Do(func() { err = c.agg.release(ctx) })
	return err
}

func (c *metricsConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *metricsConnector) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	a := c.agg
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.consumeTraces(td)
	return nil
}

func (c *metricsConnector) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	a := c.agg
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.consumeLogs(ld)
	return nil
}
