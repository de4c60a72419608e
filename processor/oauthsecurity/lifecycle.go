package oauthsecurity

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/sharedcomponent"
	"github.com/otelcol-oauth/otelcol-oauth/internal/storageclient"
)

// detectors: every pipeline of one configured component uses one detector.
var detectors sharedcomponent.Registry[*Config, *detector]

func acquireDetector(cfg *Config, set processor.Settings) (*detector, error) {
	return detectors.Acquire(cfg, func() (*detector, error) { return newDetector(cfg, set) })
}

// lifecycle is one pipeline's hold on the shared detector: each instance
// starts it at most once and releases it at most once, so a repeated
// Shutdown (or one without Start) never releases another pipeline's hold.
type lifecycle struct {
	d                 *detector
	mu                sync.Mutex
	started, released bool
}

func (l *lifecycle) start(ctx context.Context, host component.Host) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.released {
		return nil
	}
	if err := l.d.start(ctx, host); err != nil {
		return err
	}
	l.started = true
	return nil
}

func (l *lifecycle) shutdown(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	return l.d.shutdown(ctx)
}

// start runs once per detector, on the first pipeline's start: it restores
// the state from storage and starts the checkpoint loop.
func (d *detector) start(ctx context.Context, host component.Host) error {
	var err error
	detectors.Do(func() { err = d.startOnce(ctx, host) })
	return err
}

func (d *detector) startOnce(ctx context.Context, host component.Host) error {
	d.started++
	if d.started > 1 {
		return nil
	}
	if err := d.useKeys(host); err != nil {
		d.started--
		return err
	}
	p := &persister{stop: make(chan struct{})}
	if d.cfg.Storage != nil {
		client, err := storageclient.Get(ctx, host, *d.cfg.Storage, component.KindProcessor, d.id, "")
		if err != nil {
			d.started--
			d.releaseKeys()
			return err
		}
		p.client = client
		if err := d.load(ctx, p); err != nil {
			d.logger.Warn("oauth_security: could not restore state, starting empty", zap.Error(err))
		}
	}
	if err := d.startShared(ctx); err != nil {
		d.started--
		return err
	}
	d.persist = p
	p.wg.Add(1)
	go d.loop(p)
	return nil
}

func (d *detector) loop(p *persister) {
	defer p.wg.Done()
	t := time.NewTicker(d.cfg.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := d.checkpoint(context.Background()); err != nil {
				d.logger.Warn("oauth_security: checkpoint failed", zap.Error(err))
			}
		}
	}
}

// shutdown releases one pipeline's hold; the last one stops the loop,
// writes a final checkpoint and closes the storage client.
func (d *detector) shutdown(ctx context.Context) error {
	if !detectors.Release(d.cfg) {
		return nil
	}
	var err error
	if p := d.persist; p != nil {
		close(p.stop)
		p.wg.Wait()
		if p.client != nil {
			err = d.checkpoint(ctx)
			err = errors.Join(err, p.client.Close(ctx))
		}
	}
	err = errors.Join(err, d.stopShared())
	d.releaseKeys()
	d.tb.Shutdown()
	return err
}
