package oauthspanmetrics

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/storageclient"
)

// load opens the configured storage and restores the gauges' state from it.
// Only a missing extension is an error: a state that cannot be read or
// decoded is logged and the connector starts empty.
func (a *aggregator) load(ctx context.Context, host component.Host) error {
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
	return nil
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
