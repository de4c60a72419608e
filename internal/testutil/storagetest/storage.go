// Package storagetest is the one in-memory storage extension of the tests:
// it outlives the components that use it, like a file_storage directory
// outlives the process, so a test can stop a component and start another on
// the same state.
package storagetest

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// Extension is an in-memory storage extension. Each (kind, id, name) gets
// its own key space, as file_storage gives each component its own file.
type Extension struct {
	component.StartFunc
	component.ShutdownFunc

	mu   sync.Mutex
	data map[string][]byte
	sets int
	// NoClient makes GetClient return a nil client, as an extension that
	// gives none.
	NoClient bool
}

// New returns an empty storage extension.
func New() *Extension { return &Extension{data: map[string][]byte{}} }

// GetClient returns a client on the key space of (kind, id, name).
func (e *Extension) GetClient(_ context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	if e.NoClient {
		return nil, nil
	}
	return &Client{e: e, prefix: kind.String() + "/" + id.String() + "/" + name + "/"}, nil
}

// Sets counts every Set so far, across clients.
func (e *Extension) Sets() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sets
}

// Len is the number of keys stored, across clients.
func (e *Extension) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.data)
}

// Client is one component's view of an Extension.
type Client struct {
	e      *Extension
	prefix string
}

// NewClient returns a standalone client on a fresh extension, for code that
// takes a storage.Client directly.
func NewClient() *Client {
	return &Client{e: New()}
}

// Get returns the value of key, nil when absent.
func (c *Client) Get(_ context.Context, key string) ([]byte, error) {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	return c.e.data[c.prefix+key], nil
}

// Set stores a copy of value.
func (c *Client) Set(_ context.Context, key string, value []byte) error {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	c.e.data[c.prefix+key] = append([]byte(nil), value...)
	c.e.sets++
	return nil
}

// Delete removes key.
func (c *Client) Delete(_ context.Context, key string) error {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	delete(c.e.data, c.prefix+key)
	return nil
}

// Batch runs ops in order.
func (c *Client) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		switch op.Type {
		case storage.Get:
			op.Value, _ = c.Get(ctx, op.Key)
		case storage.Set:
			_ = c.Set(ctx, op.Key, op.Value)
		case storage.Delete:
			_ = c.Delete(ctx, op.Key)
		}
	}
	return nil
}

// Close does nothing: the data lives in the extension.
func (*Client) Close(context.Context) error { return nil }

// Host serves the given extensions to components under test.
type Host struct {
	component.Host
	Extensions map[component.ID]component.Component
}

// NewHost returns a host serving exts.
func NewHost(exts map[component.ID]component.Component) Host {
	return Host{Host: componenttest.NewNopHost(), Extensions: exts}
}

// GetExtensions returns the host's extensions.
func (h Host) GetExtensions() map[component.ID]component.Component { return h.Extensions }
