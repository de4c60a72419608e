package generichttp

import (
	"container/list"
	"sync"
)

// servers remembers, by service.name, the services that served an
// authorization server's discovery document: they are evidently
// authorization servers, so their bare /token, /authorize, ... are OAuth.
// Bounded: past its capacity the least recently seen service is forgotten.
type servers struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // of string, most recent first
	byName   map[string]*list.Element
}

func newServers(capacity int) *servers {
	return &servers{capacity: max(capacity, 1), order: list.New(), byName: map[string]*list.Element{}}
}

// learn remembers a service.
func (s *servers) learn(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byName[name]; ok {
		s.order.MoveToFront(e)
		return
	}
	if s.order.Len() >= s.capacity {
		oldest := s.order.Back()
		s.order.Remove(oldest)
		delete(s.byName, oldest.Value.(string))
	}
	s.byName[name] = s.order.PushFront(name)
}

// known reports whether a service is remembered, and refreshes it.
func (s *servers) known(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byName[name]
	if ok {
		s.order.MoveToFront(e)
	}
	return ok
}
