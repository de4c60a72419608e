package oauthredact

import "hash/maphash"

// knownSecrets maps the batch's secrets to their replacements. It is an
// open-addressing table probed once per secret found (a Go map needs a
// lookup and then an assignment), emptied after every batch.
type knownSecrets struct {
	seed    maphash.Seed
	slots   []int32 // 1 + index into entries; 0 is empty
	entries []knownSecret
}

// knownSecret is the replacement of a secret of the batch.
type knownSecret struct {
	secret string
	rep    string
	hash   uint64
	listed bool // in knownList
}

// get returns the entry of secret, adding an empty one (rep "") if the
// batch has not seen it. The pointer is valid until the next get.
func (t *knownSecrets) get(secret string) *knownSecret {
	if 2*(len(t.entries)+1) > len(t.slots) {
		t.grow()
	}
	h := maphash.String(t.seed, secret)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := t.slots[i]
		if j == 0 {
			t.entries = append(t.entries, knownSecret{secret: secret, hash: h})
			t.slots[i] = int32(len(t.entries))
			return &t.entries[len(t.entries)-1]
		}
		if e := &t.entries[j-1]; e.hash == h && e.secret == secret {
			return e
		}
	}
}

func (t *knownSecrets) grow() {
	if len(t.slots) == 0 {
		t.seed = maphash.MakeSeed()
	}
	t.slots = make([]int32, max(64, 2*len(t.slots)))
	mask := uint64(len(t.slots) - 1)
	for j, e := range t.entries {
		i := e.hash & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = int32(j + 1)
	}
}

// reset forgets every secret and keeps the memory.
func (t *knownSecrets) reset() {
	if len(t.entries) > 0 {
		clear(t.entries) // no raw secret outlives its batch
		t.entries = t.entries[:0]
		clear(t.slots)
	}
}
