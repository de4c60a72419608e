package oauthaudit

import "encoding/json"

// seenCapacity bounds the ids a page cursor remembers: a few pages of the
// largest page size, which covers a restart's overlap.
const seenCapacity = 4096

// seenSet remembers the last ids added, at most capacity of them, oldest
// forgotten first. It is stored as the JSON list of its ids, oldest first.
type seenSet struct {
	capacity int
	ring     []string
	next     int
	ids      map[string]struct{}
}

func newSeenSet(capacity int) *seenSet {
	return &seenSet{capacity: capacity, ids: make(map[string]struct{}, capacity)}
}

// Has reports whether id was added and not yet forgotten.
func (s *seenSet) Has(id string) bool {
	_, ok := s.ids[id]
	return ok
}

// Len is the number of ids remembered.
func (s *seenSet) Len() int { return len(s.ids) }

// Add remembers id, forgetting the oldest id when full.
func (s *seenSet) Add(id string) {
	if s.Has(id) {
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

// ordered returns the ids oldest first.
func (s *seenSet) ordered() []string {
	out := make([]string, 0, len(s.ring))
	out = append(out, s.ring[s.next:]...)
	return append(out, s.ring[:s.next]...)
}

func (s *seenSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.ordered()) }

// UnmarshalJSON reads a stored list; a longer one keeps its newest ids.
func (s *seenSet) UnmarshalJSON(b []byte) error {
	var ids []string
	if err := json.Unmarshal(b, &ids); err != nil {
		return err
	}
	*s = *newSeenSet(seenCapacity)
	for _, id := range ids {
		s.Add(id)
	}
	return nil
}
