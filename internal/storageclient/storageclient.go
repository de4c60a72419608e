// Package storageclient resolves a component's `storage:` setting to a
// storage client, with the same startup errors in every component.
package storageclient

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// Get returns the client that the storage extension `id` gives the component
// `owner` of kind `kind`; name separates several clients of one component.
// Errors start with "storage:" and name the extension, so a typo in the
// config is obvious at startup.
func Get(ctx context.Context, host component.Host, id component.ID, kind component.Kind, owner component.ID, name string) (storage.Client, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found (is it configured under extensions: and listed in service::extensions?)", id.String())
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", id.String())
	}
	client, err := se.GetClient(ctx, kind, owner, name)
	if err == nil && client == nil {
		err = errors.New("no storage client")
	}
	if err != nil {
		return nil, fmt.Errorf("storage: extension %q: %w", id.String(), err)
	}
	return client, nil
}
