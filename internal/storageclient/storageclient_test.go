package storageclient

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

type host struct {
	exts map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.exts }

type notStorage struct {
	component.StartFunc
	component.ShutdownFunc
}

type nilStorage struct{ notStorage }

func (nilStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return nil, nil
}

type okStorage struct{ notStorage }

func (okStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return storage.NewNopClient(), nil
}

func TestGet(t *testing.T) {
	id := component.MustNewIDWithName("file_storage", "state")
	owner := component.MustNewID("oauth_security")
	get := func(ext component.Component) error {
		exts := map[component.ID]component.Component{}
		if ext != nil {
			exts[id] = ext
		}
		_, err := Get(context.Background(), host{exts}, id, component.KindProcessor, owner, "")
		return err
	}
	for name, ext := range map[string]component.Component{
		"missing":     nil,
		"not storage": notStorage{},
		"nil client":  nilStorage{},
	} {
		err := get(ext)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), `storage: extension "file_storage/state"`, name)
	}
	require.NoError(t, get(okStorage{}))
}
