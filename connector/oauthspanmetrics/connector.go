package oauthspanmetrics

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/internal/storageclient"
)

// aggregators holds one aggregator per connector component ID, shared by the
// traces and logs sides of that connector (the collector's sharedcomponent
// pattern), so both count into the same series and never emit colliding ones.
var aggregators = struct {
	sync.Mutex
	m map[component.ID]*aggregator
}{m: map[component.ID]*aggregator{}}

// aggregator counts OAuth records from both sides and flushes cumulative
// metrics every flush_interval.
type aggregator struct {
	id     component.ID
	cfg    *Config
	logger *zap.Logger
	next   consumer.Metrics
	tb     *metadata.TelemetryBuilder
	now    func() time.Time

	mu    sync.Mutex
	st    *state
	start pcommon.Timestamp

	// lifecycle, guarded by aggregators' lock
	refs    int
	started bool
	stop    chan struct{}
	done    chan struct{}
	client  storage.Client
}

// acquire returns the aggregator of set.ID, creating it on first use.
func acquire(set connector.Settings, cfg *Config, next consumer.Metrics) (*aggregator, error) {
	aggregators.Lock()
	defer aggregators.Unlock()
	if a, ok := aggregators.m[set.ID]; ok {
		a.refs++
		return a, nil
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	a := &aggregator{id: set.ID, cfg: cfg, logger: set.Logger, next: next, tb: tb, now: time.Now, refs: 1}
	a.st = newState(cfg, a.clock)
	a.start = pcommon.NewTimestampFromTime(a.now())
	aggregators.m[set.ID] = a
	return a, nil
}

func (a *aggregator) clock() time.Time { return a.now() }

// startOnce starts the aggregator on the first Start of any of its sides.
func (a *aggregator) startOnce(ctx context.Context, host component.Host) error {
	aggregators.Lock()
	defer aggregators.Unlock()
	if a.started {
		return nil
	}
	if a.cfg.Storage != nil {
		client, err := storageclient.Get(ctx, host, *a.cfg.Storage, component.KindConnector, a.id, "")
		if err != nil {
			return err
		}
		a.client = client
		data, err := client.Get(ctx, storageKey)
		switch {
		case err != nil:
			a.logger.Warn("could not read the gauges' state from storage; starting empty", zap.Error(err))
		case data != nil:
			a.mu.Lock()
			err = a.st.restore(data)
			a.mu.Unlock()
			if err != nil {
				a.logger.Warn("stored gauges' state is unreadable; starting empty", zap.Error(err))
			}
		}
	}
	a.mu.Lock()
	a.start = pcommon.NewTimestampFromTime(a.now())
	a.mu.Unlock()
	a.started = true
	a.flushAtStart(ctx)
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go a.loop(a.stop, a.done)
	return nil
}

func (a *aggregator) loop(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(a.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := a.flush(context.Background()); err != nil {
				a.logger.Warn("emitting OAuth metrics failed", zap.Error(err))
			}
		}
	}
}

// release ends one side; the last one stops the aggregator and saves state.
func (a *aggregator) release(ctx context.Context) error {
	aggregators.Lock()
	defer aggregators.Unlock()
	a.refs--
	if a.refs > 0 {
		return nil
	}
	if aggregators.m[a.id] == a {
		delete(aggregators.m, a.id)
	}
	var errs []error
	if a.started {
		close(a.stop)
		<-a.done
		a.started = false
		if a.client != nil {
			errs = append(errs, a.persist(ctx), a.client.Close(ctx))
			a.client = nil
		}
	}
	a.tb.Shutdown()
	return errors.Join(errs...)
}

// flush expires old state, emits every series and saves the gauges' state.
func (a *aggregator) flush(ctx context.Context) error {
	a.mu.Lock()
	now := a.now()
	a.st.expire(now.UnixNano())
	md := a.st.build(a.start, pcommon.NewTimestampFromTime(now))
	overflow, evictions := a.st.overflow, a.st.evictions
	a.st.overflow, a.st.evictions = map[string]int64{}, map[string]int64{}
	a.mu.Unlock()

	for label, n := range overflow {
		a.tb.ConnectorOauthSpanMetricsLabelOverflow.Add(ctx, n, metric.WithAttributes(attribute.String("label", label)))
	}
	for st, n := range evictions {
		a.tb.ConnectorOauthSpanMetricsStateEvictions.Add(ctx, n, metric.WithAttributes(attribute.String("state", st)))
	}
	var errs []error
	if a.client != nil {
		errs = append(errs, a.persist(ctx))
	}
	errs = append(errs, a.next.ConsumeMetrics(ctx, md))
	return errors.Join(errs...)
}

// persist saves the gauges' state when it changed since the last save.
func (a *aggregator) persist(ctx context.Context) error {
	a.mu.Lock()
	if !a.st.dirty {
		a.mu.Unlock()
		return nil
	}
	data, err := a.st.marshal()
	a.st.dirty = false
	a.mu.Unlock()
	if err == nil {
		err = a.client.Set(ctx, storageKey, data)
	}
	if err != nil {
		a.mu.Lock()
		a.st.dirty = true
		a.mu.Unlock()
		return fmt.Errorf("saving the gauges' state: %w", err)
	}
	return nil
}

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
