package oauthspanmetrics

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/internal/sharedcomponent"
)

// aggregators holds one aggregator per connector component ID, shared by the
// traces and logs sides of that connector (the collector's sharedcomponent
// pattern), so both count into the same series and never emit colliding ones.
var aggregators sharedcomponent.Registry[component.ID, *aggregator]

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

	// lifecycle, guarded by the registry's lock (aggregators.Do)
	started bool
	stop    chan struct{}
	done    chan struct{}
	client  storage.Client
}

// acquire returns the aggregator of set.ID, creating it on first use.
func acquire(set connector.Settings, cfg *Config, next consumer.Metrics) (*aggregator, error) {
	return aggregators.Acquire(set.ID, func() (*aggregator, error) {
		tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
		if err != nil {
			return nil, err
		}
		a := &aggregator{id: set.ID, cfg: cfg, logger: set.Logger, next: next, tb: tb, now: time.Now}
		a.st = newState(cfg, a.clock)
		a.start = pcommon.NewTimestampFromTime(a.now())
		return a, nil
	})
}

func (a *aggregator) clock() time.Time { return a.now() }

// startOnce starts the aggregator on the first Start of any of its sides.
func (a *aggregator) startOnce(ctx context.Context, host component.Host) error {
	var err error
	aggregators.Do(func() {
		if a.started {
			return
		}
		if a.cfg.Storage != nil {
			if err = a.load(ctx, host); err != nil {
				return
			}
		}
		a.mu.Lock()
		a.start = pcommon.NewTimestampFromTime(a.now())
		a.mu.Unlock()
		a.started = true
		a.flushAtStart(ctx)
		a.stop, a.done = make(chan struct{}), make(chan struct{})
		go a.loop(a.stop, a.done)
	})
	return err
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
	if !aggregators.Release(a.id) {
		return nil
	}
	var errs []error
	aggregators.Do(func() {
		if !a.started {
			return
		}
		close(a.stop)
		<-a.done
		a.started = false
		if a.client != nil {
			errs = append(errs, a.persist(ctx), a.client.Close(ctx))
			a.client = nil
		}
	})
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
