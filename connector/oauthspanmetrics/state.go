package oauthspanmetrics

import (
	"container/heap"
	"math"
)

// noExpiry marks an entry that never expires by itself (a token issued
// without oauth.token.expires_in).
const noExpiry = math.MaxInt64

// fifoEntry is one entry of a fifo. key is "" for anonymous entries.
type fifoEntry struct {
	key  string
	exp  int64 // unix nanoseconds on the connector clock
	val  int64 // payload (flows: the authorize timestamp)
	dead bool
}

// fifo is an insertion-ordered set of entries that all share one TTL, so
// insertion order is also expiry order. Keyed entries can be removed out of
// order (they are marked dead and skipped); the oldest live entries can be
// removed in order. Memory is bounded by the caller through evictOldest.
type fifo struct {
	q     []*fifoEntry
	head  int
	byKey map[string]*fifoEntry
	live  int
}

func newFIFO() *fifo { return &fifo{byKey: map[string]*fifoEntry{}} }

// add inserts an entry; a keyed entry replaces a live one with the same key.
func (f *fifo) add(key string, exp, val int64) {
	if key != "" {
		if old, ok := f.byKey[key]; ok {
			old.dead = true
			f.live--
		}
	}
	e := &fifoEntry{key: key, exp: exp, val: val}
	f.q = append(f.q, e)
	f.live++
	if key != "" {
		f.byKey[key] = e
	}
}

// get returns the live entry with key.
func (f *fifo) get(key string) (*fifoEntry, bool) {
	e, ok := f.byKey[key]
	return e, ok
}

// remove removes the live entry with key and reports whether there was one.
func (f *fifo) remove(key string) bool {
	e, ok := f.byKey[key]
	if !ok {
		return false
	}
	f.kill(e)
	return true
}

func (f *fifo) kill(e *fifoEntry) {
	e.dead = true
	f.live--
	if e.key != "" {
		if cur, ok := f.byKey[e.key]; ok && cur == e {
			delete(f.byKey, e.key)
		}
	}
}

// front returns the oldest live entry, dropping dead ones from the queue.
func (f *fifo) front() *fifoEntry {
	for f.head < len(f.q) {
		e := f.q[f.head]
		if !e.dead {
			return e
		}
		f.q[f.head] = nil
		f.head++
	}
	f.compact()
	return nil
}

// removeOldest removes up to n of the oldest live entries and returns how
// many it removed.
func (f *fifo) removeOldest(n int64) int64 {
	var done int64
	for done < n {
		e := f.front()
		if e == nil {
			break
		}
		f.kill(e)
		done++
	}
	return done
}

// expire removes every live entry whose expiry is at or before now and
// returns how many it removed.
func (f *fifo) expire(now int64) int64 {
	var done int64
	for {
		e := f.front()
		if e == nil || e.exp > now {
			break
		}
		f.kill(e)
		done++
	}
	f.compact()
	return done
}

// compact reclaims the consumed head of the queue once it is large.
func (f *fifo) compact() {
	if f.head > 1024 && f.head*2 > len(f.q) {
		n := copy(f.q, f.q[f.head:])
		clear(f.q[n:])
		f.q = f.q[:n]
		f.head = 0
	}
	if f.head == len(f.q) {
		f.q = f.q[:0]
		f.head = 0
	}
}

// entries returns the live entries, oldest first.
func (f *fifo) entries() []*fifoEntry {
	out := make([]*fifoEntry, 0, f.live)
	for _, e := range f.q[f.head:] {
		if !e.dead {
			out = append(out, e)
		}
	}
	return out
}

// expiryHeap is a min-heap of expiry times: the active tokens of one series.
type expiryHeap []int64

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *expiryHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	*h = old[:n-1]
	return x
}

func (h *expiryHeap) push(exp int64) { heap.Push(h, exp) }

// popSoonest removes the token that expires first (the one a refresh most
// likely rotated away or a revocation ended) and reports whether there was one.
func (h *expiryHeap) popSoonest() bool {
	if len(*h) == 0 {
		return false
	}
	heap.Pop(h)
	return true
}

// expire removes tokens whose expiry is at or before now.
func (h *expiryHeap) expire(now int64) int64 {
	var n int64
	for len(*h) > 0 && (*h)[0] <= now {
		heap.Pop(h)
		n++
	}
	return n
}
