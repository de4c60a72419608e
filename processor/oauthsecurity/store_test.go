package oauthsecurity

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ttls(ms int64) [numKinds]int64 {
	var t [numKinds]int64
	for i := range t {
		t[i] = ms
	}
	return t
}

// TestStoreMatchesModel drives the store and a map+FIFO model with random
// puts, sweeps and evictions and compares them after every step.
func TestStoreMatchesModel(t *testing.T) {
	const maxEntries = 300
	rng := rand.New(rand.NewPCG(1, 2))
	s := newStore(maxEntries, ttls(1000))
	model := map[uint64]uint64{}
	var order []uint64 // insertion order of live keys
	now := timeBase + 10_000
	remove := func(k uint64) {
		delete(model, k)
		for i, o := range order {
			if o == k {
				order = append(order[:i], order[i+1:]...)
				return
			}
		}
	}
	for step := range 20_000 {
		switch r := rng.IntN(100); {
		case r < 85:
			k := uint64(rng.IntN(2000) + 1)
			v := packVal(now-int64(rng.IntN(900)), uint32(step), kindRefresh, false)
			if _, ok := model[k]; ok {
				remove(k)
			} else if len(model) >= maxEntries {
				remove(order[0])
			}
			model[k] = v
			order = append(order, k)
			s.put(k, v)
		case r < 86:
			now += 300
			s.sweep(now)
			for k, v := range model {
				if s.expired(v, now) {
					remove(k)
				}
			}
		default:
			k := uint64(rng.IntN(2000) + 1)
			got, ok := s.get(k, now)
			want, wok := model[k]
			if wok && s.expired(want, now) {
				wok = false
			}
			require.Equal(t, wok, ok, "step %d key %d", step, k)
			if ok {
				require.Equal(t, want, got)
			}
		}
		require.Equal(t, len(model), s.Len(), "step %d", step)
	}
	var live []uint64
	s.each(func(e entry) { live = append(live, e.key) })
	assert.Equal(t, order, live, "FIFO order kept")
	assert.Positive(t, s.evictions)
}

func TestPackVal(t *testing.T) {
	v := packVal(timeBase+123456789, 0xABCDE, kindState, true)
	assert.Equal(t, timeBase+123456789, valTime(v))
	assert.Equal(t, uint32(0xABCDE), valTag(v))
	assert.Equal(t, kindState, valKind(v))
	assert.True(t, valFlag(v))
	// Times before the base clamp to it.
	assert.Equal(t, timeBase, valTime(packVal(0, 0, kindCode, false)))
}
