package oauthspanmetrics

import (
	"math"

	"github.com/cespare/xxhash/v2"
)

// noExpiry marks an entry that never expires by itself (a token issued
// without oauth.token.expires_in).
const noExpiry = math.MaxInt64

// keyOf reduces a fingerprint to the 64-bit key the state is indexed by, so
// state holds no strings (less memory, nothing for the GC to scan) and no
// fingerprint text. 0 means "no key". xxhash is unseeded: keys are stable
// across restarts, which persisted PKCE states rely on.
func keyOf(fp string) uint64 {
	if fp == "" {
		return 0
	}
	if k := xxhash.Sum64String(fp); k != 0 {
		return k
	}
	return 1
}

// fifoEntry is one entry of a fifo. key is 0 for anonymous entries.
type fifoEntry struct {
	key  uint64
	exp  int64 // unix nanoseconds on the connector clock
	val  int64 // payload (flows: the authorize timestamp)
	dead bool
}

// fifo is an insertion-ordered set of entries that all share one TTL, so
// insertion order is also expiry order. Keyed entries can be removed out of
// order (they are marked dead and skipped); the oldest live entries can be
// removed in order. Entries are values addressed by their absolute sequence
// number, so the structure is pointer-free.
type fifo struct {
	q     []fifoEntry
	base  int64 // sequence number of q[0]
	byKey map[uint64]int64
	live  int
}

func newFIFO() *fifo { return &fifo{byKey: map[uint64]int64{}} }

func (f *fifo) at(seq int64) *fifoEntry { return &f.q[seq-f.base] }

// add inserts an entry; a keyed entry replaces a live one with the same key.
func (f *fifo) add(key uint64, exp, val int64) {
	if key != 0 {
		if seq, ok := f.byKey[key]; ok {
			f.at(seq).dead = true
			f.live--
		}
		f.byKey[key] = f.base + int64(len(f.q))
	}
	f.q = append(f.q, fifoEntry{key: key, exp: exp, val: val})
	f.live++
}

// get returns the live entry with key.
func (f *fifo) get(key uint64) (fifoEntry, bool) {
	if seq, ok := f.byKey[key]; ok {
		return *f.at(seq), true
	}
	return fifoEntry{}, false
}

// remove removes the live entry with key and reports whether there was one.
func (f *fifo) remove(key uint64) bool {
	seq, ok := f.byKey[key]
	if !ok {
		return false
	}
	f.kill(f.at(seq))
	return true
}

func (f *fifo) kill(e *fifoEntry) {
	e.dead = true
	f.live--
	if e.key != 0 {
		delete(f.byKey, e.key)
	}
}

// front returns the oldest live entry, dropping dead ones from the queue.
func (f *fifo) front() *fifoEntry {
	i := 0
	for i < len(f.q) && f.q[i].dead {
		i++
	}
	f.drop(i)
	if len(f.q) == 0 {
		return nil
	}
	return &f.q[0]
}

// drop removes the first n (dead) entries.
func (f *fifo) drop(n int) {
	if n == 0 {
		return
	}
	f.q = f.q[n:]
	f.base += int64(n)
	if cap(f.q) > 1024 && len(f.q) < cap(f.q)/4 {
		// Reclaim the consumed head of the backing array.
		f.q = append(make([]fifoEntry, 0, 2*len(f.q)+16), f.q...)
	}
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
	return done
}

// entries returns the live entries, oldest first.
func (f *fifo) entries() []fifoEntry {
	out := make([]fifoEntry, 0, f.live)
	for _, e := range f.q {
		if !e.dead {
			out = append(out, e)
		}
	}
	return out
}

// expiryHeap is a min-heap of expiry times: the active tokens of one group.
// Hand-rolled rather than container/heap, which boxes every int64.
type expiryHeap []int64

func (h expiryHeap) Len() int { return len(h) }

func (h *expiryHeap) push(exp int64) {
	*h = append(*h, exp)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *expiryHeap) pop() {
	a := *h
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && a[r] < a[l] {
			m = r
		}
		if a[i] <= a[m] {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
}

// popSoonest removes the token that expires first (the one a refresh most
// likely rotated away or a revocation ended) and reports whether there was one.
func (h *expiryHeap) popSoonest() bool {
	if len(*h) == 0 {
		return false
	}
	h.pop()
	return true
}

// expire removes tokens whose expiry is at or before now.
func (h *expiryHeap) expire(now int64) int64 {
	var n int64
	for len(*h) > 0 && (*h)[0] <= now {
		h.pop()
		n++
	}
	return n
}

// dedupKey identifies a counted OAuth span: its ids and its operation
// (index+1 into contract.Operations, 0 for an unknown one).
type dedupKey struct {
	trace [16]byte
	span  [8]byte
	op    uint8
}

type dedupSlot struct {
	k   dedupKey
	exp int64
}

// dedupSet remembers counted OAuth spans for a TTL, at most max of them: a
// ring buffer (growing up to max) plus a map, both pointer-free.
type dedupSet struct {
	m    map[dedupKey]int64
	ring []dedupSlot
	head int // oldest slot
	n    int
	max  int
}

func newDedupSet(maxEntries int) *dedupSet {
	return &dedupSet{m: map[dedupKey]int64{}, max: maxEntries}
}

func (d *dedupSet) has(k dedupKey) bool {
	_, ok := d.m[k]
	return ok
}

// add remembers k until exp and reports whether an older entry had to be
// evicted to make room.
func (d *dedupSet) add(k dedupKey, exp int64) (evicted bool) {
	if d.n == len(d.ring) {
		if len(d.ring) < d.max {
			grown := make([]dedupSlot, min(d.max, 2*len(d.ring)+64))
			for i := range d.n {
				grown[i] = d.ring[(d.head+i)%len(d.ring)]
			}
			d.ring, d.head = grown, 0
		} else {
			d.pop()
			evicted = true
		}
	}
	d.ring[(d.head+d.n)%len(d.ring)] = dedupSlot{k, exp}
	d.n++
	d.m[k] = exp
	return evicted
}

func (d *dedupSet) pop() {
	s := d.ring[d.head]
	d.head = (d.head + 1) % len(d.ring)
	d.n--
	if exp, ok := d.m[s.k]; ok && exp == s.exp {
		delete(d.m, s.k)
	}
}

func (d *dedupSet) expire(now int64) {
	for d.n > 0 && d.ring[d.head].exp <= now {
		d.pop()
	}
}
