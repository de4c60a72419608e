package oauthspanmetrics

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExpiryHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h expiryHeap
	var want []int64
	for range 500 {
		v := r.Int64N(1000)
		h.push(v)
		want = append(want, v)
	}
	slices.Sort(want)
	cut := want[99]
	n := h.expire(cut)
	for _, v := range want {
		if v <= cut {
			n--
		}
	}
	require.Zero(t, n)
	for len(h) > 0 {
		lowest := h[0]
		for _, v := range h {
			require.LessOrEqual(t, lowest, v)
		}
		h.popSoonest()
	}
	require.False(t, h.popSoonest())
}

func TestFIFOKeyedAndOrdered(t *testing.T) {
	f := newFIFO()
	for i := range 3000 {
		f.add(uint64(i%2000+1), int64(i), int64(i))
	}
	require.Equal(t, 2000, f.live, "re-added keys replace their entry")
	e, ok := f.get(5)
	require.True(t, ok)
	require.Equal(t, int64(2004), e.val)
	require.True(t, f.remove(5))
	require.False(t, f.remove(5))
	// Live: i=1000..2999 (i<1000 were replaced) less the removed i=2004.
	require.Equal(t, int64(1001), f.expire(2000)) // i=1000..2000
	require.Equal(t, int64(10), f.removeOldest(10))
	require.Len(t, f.entries(), f.live)
	live := int64(f.live)
	require.Equal(t, live, f.expire(1<<62))
	require.Nil(t, f.front())
}

func TestDedupSetBounded(t *testing.T) {
	d := newDedupSet(100)
	evicted := 0
	for i := range 1000 {
		if d.add(dedupKey{trace: [16]byte{byte(i), byte(i >> 8)}, op: 1}, int64(i)) {
			evicted++
		}
	}
	require.Equal(t, 900, evicted)
	require.Len(t, d.m, 100)
	require.True(t, d.has(dedupKey{trace: [16]byte{byte(999 & 0xff), byte(999 >> 8)}, op: 1}))
	d.expire(949)
	require.Len(t, d.m, 50)
}
