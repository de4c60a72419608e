package oauthaudit

import (
	"encoding/json"
	"sync"
)

// seenCapacity bounds the ids a page cursor remembers: a few pages of the
// largest page size, which covers a restart's overlap.
const seenCapacity = 4096

// seenSet remembers the last ids added, at most capacity of them, oldest
// forgotten first. It is stored as the JSON list of its ids, oldest first.
// It is safe for concurrent use: a source both pulled and pushed (Auth0)
// shares one set between the poll loop and the push handlers, and an id
// being delivered by one of them is claimed, so the other does not deliver
// it at the same time.
type seenSet struct {
	mu       sync.Mutex
	capacity int
	ring     []string
	next     int
	ids      map[string]struct{}
	claimed  map[string]struct{}
}

func newSeenSet(capacity int) *seenSet {
	s := &seenSet{}
	s.reset(capacity)
	return s
}

func (s *seenSet) reset(capacity int) {
	s.capacity, s.ring, s.next = capacity, nil, 0
	s.ids = make(map[string]struct{}, capacity)
	s.claimed = map[string]struct{}{}
}

// Has reports whether id was added and not yet forgotten.
func (s *seenSet) Has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ids[id]
	return ok
}

// Len is the number of ids remembered.
func (s *seenSet) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// Add remembers id, forgetting the oldest id when full.
func (s *seenSet) Add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(id)
}

func (s *seenSet) add(id string) {
	if _, ok := s.ids[id]; ok {
		return
	}
	if len(s.ring) < s.capacity {
		s.ring = append(s.ring, id)
	} else {
		delete(s.ids, s.ring[s.next])
		s.ring[s.next] = id
		s.next = (s.next + 1) % s.capacity
	}
	s.ids[id] = struct{}{}
}

// Claim reserves id for one delivery: false when it was delivered already
// or another delivery holds it. A claim ends with Settle.
func (s *seenSet) Claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if _, ok := s.claimed[id]; ok {
		return false
	}
	s.claimed[id] = struct{}{}
	return true
}

// Settle ends the claims of ids: delivered ones are remembered, the others
// become free to be delivered again.
func (s *seenSet) Settle(ids []string, delivered bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.claimed, id)
		if delivered {
			s.add(id)
		}
	}
}

// ordered returns the ids oldest first.
func (s *seenSet) ordered() []string {
	out := make([]string, 0, len(s.ring))
	out = append(out, s.ring[s.next:]...)
	return append(out, s.ring[:s.next]...)
}

func (s *seenSet) MarshalJSON() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.Marshal(s.ordered())
}

// UnmarshalJSON reads a stored list; a longer one keeps its newest ids.
func (s *seenSet) UnmarshalJSON(b []byte) error {
	var ids []string
	if err := json.Unmarshal(b, &ids); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset(seenCapacity)
	for _, id := range ids {
		s.add(id)
	}
	return nil
}
