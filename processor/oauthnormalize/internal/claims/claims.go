// Package claims remembers which spans were made a request's OAuth record,
// so that a log line of the same request (same trace and span id) is not a
// second record (contract section 6: one request, one record). The traces
// and logs pipelines of one processor share it.
package claims

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Key is a trace id and a span id.
type Key [24]byte

// KeyOf builds the key of a span.
func KeyOf(t pcommon.TraceID, s pcommon.SpanID) Key {
	var k Key
	copy(k[:16], t[:])
	copy(k[16:], s[:])
	return k
}

// Set is a bounded set of keys: past its capacity the oldest key goes.
type Set struct {
	mu   sync.Mutex
	keys map[Key]struct{}
	ring []Key
	next int
}

// New returns a set that holds at most capacity keys.
func New(capacity int) *Set {
	capacity = max(capacity, 1)
	return &Set{keys: make(map[Key]struct{}, capacity), ring: make([]Key, 0, capacity)}
}

// Add remembers k.
func (s *Set) Add(k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[k]; ok {
		return
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, k)
	} else {
		delete(s.keys, s.ring[s.next])
		s.ring[s.next] = k
		s.next = (s.next + 1) % len(s.ring)
	}
	s.keys[k] = struct{}{}
}

// Has reports whether k is remembered.
func (s *Set) Has(k Key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.keys[k]
	return ok
}
