// Package sharedcomponent shares one value between the pipelines of one
// configured component (the traces and logs sides of a connector, every
// pipeline of a processor), as the collector's own sharedcomponent package
// does for receivers. The first Acquire creates the value, the last Release
// hands it to a cleanup.
package sharedcomponent

import "sync"

// Registry holds one reference-counted value per key.
type Registry[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*entry[V]
}

type entry[V any] struct {
	v    V
	refs int
}

// Acquire returns the value of key, creating it with create on first use,
// and counts one more reference. create runs under the registry's lock, so
// two pipelines starting at once get one value.
func (r *Registry[K, V]) Acquire(key K, create func() (V, error)) (V, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.m[key]; ok {
		e.refs++
		return e.v, nil
	}
	v, err := create()
	if err != nil {
		var zero V
		return zero, err
	}
	if r.m == nil {
		r.m = map[K]*entry[V]{}
	}
	r.m[key] = &entry[V]{v: v, refs: 1}
	return v, nil
}

// Release drops one reference to key. It returns true, after removing the
// value, when that was the last one: the caller then cleans up. A key that
// is not held returns false.
func (r *Registry[K, V]) Release(key K) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.m[key]
	if !ok {
		return false
	}
	e.refs--
	if e.refs > 0 {
		return false
	}
	delete(r.m, key)
	return true
}

// Do runs f with the registry's lock held, for a start or stop step that
// must not interleave with another pipeline's Acquire or Release.
func (r *Registry[K, V]) Do(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}
