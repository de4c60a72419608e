package join

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// entry is the held spans of one trace, with their resources and scopes.
type entry struct {
	id       pcommon.TraceID
	td       ptrace.Traces
	spans    int
	deadline time.Time
	// prev and next link the entries in arrival order.
	prev, next *entry
}

// store holds entries by trace id, in the order they were first held
// (which is also deadline order: the wait is the same for all). It is not
// safe for concurrent use.
type store struct {
	byID map[pcommon.TraceID]*entry
	// head is the oldest entry, tail the newest.
	head, tail *entry
	spans      int
}

func newStore() *store { return &store{byID: map[pcommon.TraceID]*entry{}} }

func (s *store) get(id pcommon.TraceID) *entry { return s.byID[id] }

func (s *store) traces() int { return len(s.byID) }

// add holds td as the newest entry, for trace id.
func (s *store) add(id pcommon.TraceID, td ptrace.Traces, deadline time.Time) *entry {
	e := &entry{id: id, td: td, spans: td.SpanCount(), deadline: deadline, prev: s.tail}
	if s.tail != nil {
		s.tail.next = e
	} else {
		s.head = e
	}
	s.tail = e
	s.byID[id] = e
	s.spans += e.spans
	return e
}

// merge moves td's spans (with their resources and scopes) after e's.
func (s *store) merge(e *entry, td ptrace.Traces) {
	n := td.SpanCount()
	td.ResourceSpans().MoveAndAppendTo(e.td.ResourceSpans())
	e.spans += n
	s.spans += n
}

// remove takes e out of the store.
func (s *store) remove(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
	delete(s.byID, e.id)
	s.spans -= e.spans
}
