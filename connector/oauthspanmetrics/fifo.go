package oauthspanmetrics

import "github.com/cespare/xxhash/v2"

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
