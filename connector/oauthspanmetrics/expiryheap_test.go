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
