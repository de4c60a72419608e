package oauthspanmetrics

import (
	"hash/maphash"
	"math"
	"time"

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

// dedupSet remembers counted OAuth spans for at least ttl (at most twice
// that), and at most max of them; at that bound, room is made by dropping
// the older generation, so between max/2 and max spans are remembered (a
// log line of a dropped span is counted again), and every dropped entry
// counts as an eviction, also those already older than ttl. Every span is added, so it must be cheap:
// two generations of an open-addressing table of 64-bit keyed hashes, no
// per-entry expiry and nothing for the garbage collector to scan. When the
// current generation is older than ttl, or holds max/2 entries, the previous
// one is dropped; dropping it for room counts as evictions. Two spans whose
// hashes collide (about n/2^64) would make one log record go uncounted.
type dedupSet struct {
	seed      maphash.Seed
	cur, prev dedupTable
	since     int64 // when cur started
	ttl       int64
	perGen    int
	pending   []uint64 // hashes queued for the next flush
}

func newDedupSet(maxEntries int, ttl time.Duration) *dedupSet {
	return &dedupSet{seed: maphash.MakeSeed(), ttl: int64(ttl), perGen: max(1, maxEntries/2)}
}

func (d *dedupSet) hash(k dedupKey) uint64 {
	if h := maphash.Comparable(d.seed, k); h != 0 {
		return h
	}
	return 1 // 0 marks an empty slot
}

func (d *dedupSet) has(k dedupKey) bool {
	h := d.hash(k)
	return d.cur.has(h) || d.prev.has(h)
}

// queue remembers k at the next flush. A batch's spans are queued and
// flushed together: the table is far larger than the CPU caches, and
// inserts back to back overlap their cache misses.
func (d *dedupSet) queue(k dedupKey) {
	d.pending = append(d.pending, d.hash(k))
}

// flush adds the queued spans, seen at now, and returns how many older
// entries had to be dropped early to make room.
func (d *dedupSet) flush(now int64) (evicted int) {
	d.expire(now)
	for _, h := range d.pending {
		// A span already in the previous generation (a retried export) is
		// added again; that only keeps it longer, and saves a probe.
		if !d.cur.insert(h, d.perGen) {
			evicted += d.prev.n
			d.rotate(now)
			d.cur.insert(h, d.perGen)
		}
	}
	d.pending = d.pending[:0]
	return evicted
}

// expire drops the previous generation once the current one is ttl old:
// its entries are then older than ttl.
func (d *dedupSet) expire(now int64) {
	if now-d.since >= d.ttl {
		d.rotate(now)
	}
}

func (d *dedupSet) rotate(now int64) {
	d.cur, d.prev = d.prev, d.cur
	d.cur.reset()
	d.since = now
}

func (d *dedupSet) len() int { return d.cur.n + d.prev.n }

// dedupTable is a set of non-zero 64-bit hashes, linear probing, at most
// half full.
type dedupTable struct {
	slots []uint64
	n     int
}

func (t *dedupTable) has(h uint64) bool {
	if t.n == 0 {
		return false
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// insert adds h unless the table already holds limit entries, and reports
// whether h is now in the table.
func (t *dedupTable) insert(h uint64, limit int) bool {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return true
		case 0:
			if t.n >= limit {
				return false
			}
			t.slots[i] = h
			t.n++
			return true
		}
	}
}

func (t *dedupTable) grow() {
	old := t.slots
	t.slots = make([]uint64, max(64, 2*len(old)))
	t.n = 0
	for _, h := range old {
		if h != 0 {
			t.insert(h, len(old))
		}
	}
}

// reset empties the table and keeps its memory for the next generation.
func (t *dedupTable) reset() {
	if t.n > 0 {
		clear(t.slots)
		t.n = 0
	}
}
