package oauthsecurity

// The detection state: one entry per (kind, side, fingerprint) or per
// (kind, trace id). An entry is 16 bytes in a FIFO ring (insertion order, the
// order of eviction) plus a 16-byte slot in an open-addressing index at most
// 70% full: about 40 bytes per tracked entry, no pointers for the GC to scan.
//
// Keys are 64-bit: the fingerprint's 16 HMAC bytes (or the trace id) folded
// and mixed with the kind and side. Distinct fingerprints share a key with
// probability n²/2^65 (3·10⁻⁸ at one million entries).

// entry is one tracked item, in insertion order. key 0 marks a dead entry.
type entry struct {
	key uint64
	val uint64
}

// slot is one open-addressing cell: key 0 is empty; pos indexes ring.
type slot struct {
	key uint64
	pos uint64
}

// store is the bounded state. Not safe for concurrent use.
type store struct {
	max   int
	ttl   [numKinds]int64 // ms
	slots []slot
	used  int // occupied slots (== live entries)
	ring  []entry
	head  int // first entry that may be live
	dead  int // dead entries at or after head
	// evictions counts live entries pushed out by max.
	evictions int64
	// version changes with every write, for checkpoints.
	version uint64
}

const minSlots = 1024

func newStore(maxEntries int, ttlMs [numKinds]int64) *store {
	return &store{max: maxEntries, ttl: ttlMs, slots: make([]slot, minSlots)}
}

// Len is the number of live (possibly expired, not yet swept) entries.
func (s *store) Len() int { return s.used }

// get returns the value of key when present and not expired at nowMs.
func (s *store) get(key uint64, nowMs int64) (uint64, bool) {
	i := s.find(key)
	if i < 0 {
		return 0, false
	}
	v := s.ring[s.slots[i].pos].val
	if s.expired(v, nowMs) {
		return 0, false
	}
	return v, true
}

func (s *store) expired(v uint64, nowMs int64) bool {
	return nowMs-valTime(v) > s.ttl[valKind(v)]
}

// put inserts or replaces key. A replaced entry moves to the ring's tail.
func (s *store) put(key, val uint64) {
	s.version++
	if i := s.find(key); i >= 0 {
		pos := s.slots[i].pos
		s.ring[pos].key = 0
		s.dead++
		s.slots[i].pos = uint64(s.appendEntry(key, val))
		return
	}
	for s.used >= s.max {
		s.evictOldest()
	}
	if (s.used+1)*10 > len(s.slots)*7 {
		n := len(s.slots) * 2
		// Near max_entries, size the index to exactly 70% full.
		if limit := s.max*10/7 + 1; n > limit && limit > len(s.slots) {
			n = limit
		}
		s.resize(n)
	}
	pos := s.appendEntry(key, val)
	s.insertSlot(key, uint64(pos))
	s.used++
}

// sweep removes expired entries; it returns how many.
func (s *store) sweep(nowMs int64) int {
	removed := 0
	for i := s.head; i < len(s.ring); i++ {
		e := s.ring[i]
		if e.key == 0 || !s.expired(e.val, nowMs) {
			continue
		}
		s.deleteSlot(s.find(e.key))
		s.version++
		s.ring[i].key = 0
		s.dead++
		removed++
	}
	// Advance head over leading dead entries.
	for s.head < len(s.ring) && s.ring[s.head].key == 0 {
		s.head++
		s.dead--
	}
	if s.head == len(s.ring) {
		s.ring, s.head, s.dead = s.ring[:0], 0, 0
	}
	return removed
}

// each calls fn for every live entry in insertion order.
func (s *store) each(fn func(e entry)) {
	for i := s.head; i < len(s.ring); i++ {
		if s.ring[i].key != 0 {
			fn(s.ring[i])
		}
	}
}
