package oauthsecurity

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/redisstate"
)

// sharedBackend is the seam between the detector and a state shared by
// several gateways: a first-use register. FirstUse registers ops in order
// (a key takes the op's value only when it holds none, atomically per key
// across every gateway) and sets prev[i] to what the key held before ops[i],
// 0 for none. redisstate.Client is the implementation; unit tests may fake it.
type sharedBackend interface {
	FirstUse(ctx context.Context, ops []redisstate.Op, prev []uint64) error
	Close() error
}

// errStorageAndShared: both keep the detection state; one must be chosen.
var errStorageAndShared = errors.New("storage and shared_state are exclusive: with shared_state the " +
	"detection state lives in Redis (give Redis persistence to keep it across restarts); remove storage")

// startShared connects the shared state when shared_state is configured. It
// runs once, before the first batch.
func (d *detector) startShared(ctx context.Context) error {
	if !d.cfg.SharedState.HasValue() {
		return nil
	}
	cfg := d.cfg.SharedState.Get()
	c, err := redisstate.New(ctx, cfg)
	if err != nil {
		return err
	}
	s := newSharedState(c, cfg)
	if err := d.tb.RegisterProcessorOauthSecuritySharedStateUpCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(s.up.Load())
		return nil
	}); err != nil {
		return errors.Join(err, c.Close())
	}
	if err := d.tb.RegisterProcessorOauthSecuritySharedStateBacklogCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(s.backlogLen.Load())
		return nil
	}); err != nil {
		return errors.Join(err, c.Close())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shared = s
	return nil
}

// stopShared closes the shared state's connections.
func (d *detector) stopShared() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shared == nil {
		return nil
	}
	err := d.shared.be.Close()
	d.shared = nil
	return err
}
