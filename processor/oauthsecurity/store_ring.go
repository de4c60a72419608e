package oauthsecurity

// The ring: entries in insertion order, which is the order of eviction.

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
