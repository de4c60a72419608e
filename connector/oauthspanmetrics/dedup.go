package oauthspanmetrics

import (
	"hash/maphash"
	"time"
)

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
	_, found := t.find(h)
	return found
}

// find returns the slot holding h, or the empty slot where h would go.
func (t *dedupTable) find(h uint64) (uint64, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return i, true
		case 0:
			return i, false
		}
	}
}

// insert adds h unless the table already holds limit entries, and reports
// whether h is now in the table.
func (t *dedupTable) insert(h uint64, limit int) bool {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	i, found := t.find(h)
	switch {
	case found:
		return true
	case t.n >= limit:
		return false
	}
	t.slots[i] = h
	t.n++
	return true
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
