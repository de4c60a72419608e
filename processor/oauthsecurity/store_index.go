package oauthsecurity

import "math/bits"

// The index: open addressing with linear probing over slots, at most 70%
// full, holding each live key and its position in the ring.

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
