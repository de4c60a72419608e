package oauthspanmetrics

import "math"

// noExpiry marks an entry that never expires by itself (a token issued
// without oauth.token.expires_in).
const noExpiry = math.MaxInt64

// expiryHeap is a min-heap of expiry times: the active tokens of one group.
// Hand-rolled rather than container/heap, which boxes every int64.
type expiryHeap []int64

func (h expiryHeap) Len() int { return len(h) }

func (h *expiryHeap) push(exp int64) {
	*h = append(*h, exp)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *expiryHeap) pop() {
	a := *h
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && a[r] < a[l] {
			m = r
		}
		if a[i] <= a[m] {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
}

// popSoonest removes the token that expires first (the one a refresh most
// likely rotated away or a revocation ended) and reports whether there was one.
func (h *expiryHeap) popSoonest() bool {
	if len(*h) == 0 {
		return false
	}
	h.pop()
	return true
}

// expire removes tokens whose expiry is at or before now.
func (h *expiryHeap) expire(now int64) int64 {
	var n int64
	for len(*h) > 0 && (*h)[0] <= now {
		h.pop()
		n++
	}
	return n
}
