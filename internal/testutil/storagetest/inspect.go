package storagetest

import (
	"context"
	"maps"
	"slices"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// Each calls fn for every stored key (prefixed by its client's kind, id and
// name) and value, across clients, in key order: a test that no secret
// reached storage reads them all.
func (e *Extension) Each(fn func(key string, value []byte)) {
	e.mu.Lock()
	data := maps.Clone(e.data)
	e.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(data)) {
		fn(k, data[k])
	}
}

// Clone returns a new extension holding a copy of e's data, as a crashed
// collector leaves its storage behind at that moment.
func (e *Extension) Clone() *Extension {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := New()
	for k, v := range e.data {
		c.data[k] = append([]byte(nil), v...)
	}
	return c
}

// Counting is an Extension that counts Close calls on the clients it hands
// out, to check that a component closes its client exactly once.
type Counting struct {
	*Extension
	closes atomic.Int64
}

// Count wraps e.
func Count(e *Extension) *Counting { return &Counting{Extension: e} }

// GetClient returns e's client, counting its Close calls.
func (c *Counting) GetClient(ctx context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	cl, err := c.Extension.GetClient(ctx, kind, id, name)
	if cl == nil || err != nil {
		return cl, err
	}
	return &countingClient{Client: cl, closes: &c.closes}, nil
}

// Closes is the number of Close calls so far.
func (c *Counting) Closes() int { return int(c.closes.Load()) }

type countingClient struct {
	storage.Client
	closes *atomic.Int64
}

func (c *countingClient) Close(ctx context.Context) error {
	c.closes.Add(1)
	return c.Client.Close(ctx)
}
