package oauthsecurity

import (
	"encoding/binary"
	"math/bits"
)

// The detection state: one entry per (kind, side, fingerprint) or per
// (kind, trace id). An entry is 16 bytes in a FIFO ring (insertion order, the
// order of eviction) plus a 16-byte slot in an open-addressing index at most
// 70% full: about 40 bytes per tracked entry, no pointers for the GC to scan.
//
// Keys are 64-bit: the fingerprint's 16 HMAC bytes (or the trace id) folded
// and mixed with the kind and side. Distinct fingerprints share a key with
// probability n²/2^65 (3·10⁻⁸ at one million entries).

// kind is what an entry tracks; it selects the TTL.
type kind uint8

const (
	kindNone kind = iota
	kindRefresh
	kindCode
	kindState
	kindVerifier
	kindTracePKCEFail // a pkce.validate failed in this trace
	kindTraceRedeemed // a code was redeemed in this trace
	kindIncident      // a finding was annotated in this trace (per event type)
	numKinds
)

// Packed entry value: | at (40 bits, ms since timeBase) | tag (20) | kind (3) | flag (1) |.
const (
	timeBits  = 40
	tagBits   = 20
	kindBits  = 3
	tagMask   = 1<<tagBits - 1
	kindMask  = 1<<kindBits - 1
	timeMask  = 1<<timeBits - 1
	tagShift  = kindBits + 1
	timeShift = tagBits + kindBits + 1
	// timeBase is 2024-01-01T00:00:00Z in Unix ms; 40 bits of ms reach 2058.
	timeBase = int64(1704067200000)
)

func packVal(atMs int64, tag uint32, k kind, flag bool) uint64 {
	t := atMs - timeBase
	if t < 0 {
		t = 0
	}
	if t > timeMask {
		t = timeMask
	}
	v := uint64(t)<<timeShift | uint64(tag&tagMask)<<tagShift | uint64(k&kindMask)<<1
	if flag {
		v |= 1
	}
	return v
}

func valTime(v uint64) int64 { return int64(v>>timeShift) + timeBase }
func valTag(v uint64) uint32 { return uint32(v>>tagShift) & tagMask }
func valKind(v uint64) kind  { return kind(v>>1) & kindMask }
func valFlag(v uint64) bool  { return v&1 == 1 }

// mix64 is the splitmix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// makeKey folds 16 bytes with a kind and side into a non-zero key.
func makeKey(b *[16]byte, k kind, side uint8) uint64 {
	lo := binary.LittleEndian.Uint64(b[0:8])
	hi := binary.LittleEndian.Uint64(b[8:16])
	x := mix64(lo^uint64(k)<<56^uint64(side)<<48) ^ mix64(hi+0x9e3779b97f4a7c15)
	if x == 0 {
		x = 1
	}
	return x
}

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

func (s *store) index(key uint64) int {
	hi, _ := bits.Mul64(key, uint64(len(s.slots)))
	return int(hi)
}

// find returns the slot index holding key, or -1.
func (s *store) find(key uint64) int {
	n := len(s.slots)
	for i := s.index(key); ; {
		k := s.slots[i].key
		if k == key {
			return i
		}
		if k == 0 {
			return -1
		}
		if i++; i == n {
			i = 0
		}
	}
}

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

func (s *store) insertSlot(key, pos uint64) {
	n := len(s.slots)
	for i := s.index(key); ; {
		if s.slots[i].key == 0 {
			s.slots[i] = slot{key: key, pos: pos}
			return
		}
		if i++; i == n {
			i = 0
		}
	}
}

// appendEntry adds to the ring, compacting when dead entries take a quarter
// of it, and returns the new entry's position.
func (s *store) appendEntry(key, val uint64) int {
	if len(s.ring) == cap(s.ring) && (s.head+s.dead)*4 >= len(s.ring) && len(s.ring) > 0 {
		s.compact()
	}
	s.ring = append(s.ring, entry{key: key, val: val})
	return len(s.ring) - 1
}

// compact drops dead entries and re-points the index.
func (s *store) compact() {
	j := 0
	for i := s.head; i < len(s.ring); i++ {
		e := s.ring[i]
		if e.key == 0 {
			continue
		}
		if i != j {
			s.ring[j] = e
			s.slots[s.find(e.key)].pos = uint64(j)
		}
		j++
	}
	clear(s.ring[j:])
	s.ring = s.ring[:j]
	s.head, s.dead = 0, 0
}

// evictOldest removes the oldest live entry.
func (s *store) evictOldest() {
	for s.head < len(s.ring) {
		e := s.ring[s.head]
		s.ring[s.head] = entry{}
		s.head++
		if e.key == 0 {
			s.dead--
			continue
		}
		s.deleteSlot(s.find(e.key))
		s.evictions++
		return
	}
}

// deleteSlot removes slot i with backward-shift deletion (no tombstones).
func (s *store) deleteSlot(i int) {
	n := len(s.slots)
	s.used--
	for {
		s.slots[i] = slot{}
		j := i
		for {
			if j++; j == n {
				j = 0
			}
			k := s.slots[j].key
			if k == 0 {
				return
			}
			home := s.index(k)
			// Move j back to i when its home is not in (i, j] cyclically.
			if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
				s.slots[i] = s.slots[j]
				i = j
				break
			}
		}
	}
}

func (s *store) resize(n int) {
	old := s.slots
	s.slots = make([]slot, n)
	for _, sl := range old {
		if sl.key != 0 {
			s.insertSlot(sl.key, sl.pos)
		}
	}
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
