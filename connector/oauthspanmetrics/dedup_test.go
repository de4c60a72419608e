package oauthspanmetrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func dk(i int) dedupKey { return dedupKey{trace: [16]byte{byte(i), byte(i >> 8)}, op: 1} }

// add queues one key and flushes it, as a batch of one span.
func (d *dedupSet) add(k dedupKey, now int64) int {
	d.queue(k)
	return d.flush(now)
}

func TestDedupSetBounded(t *testing.T) {
	d := newDedupSet(100, time.Hour)
	evicted := 0
	for i := range 1000 {
		evicted += d.add(dk(i), int64(i))
	}
	require.Equal(t, 900, evicted)
	require.Equal(t, 100, d.len())
	for i := 900; i < 1000; i++ {
		require.True(t, d.has(dk(i)), "recent key %d", i)
	}
	require.False(t, d.has(dk(899)))
	require.Zero(t, d.add(dk(999), 1000), "a key already there is not added again")
	require.Equal(t, 100, d.len())
}

func TestDedupSetKeepsEntriesForTTL(t *testing.T) {
	const ttl = int64(10 * time.Second)
	d := newDedupSet(1000, time.Duration(ttl))
	d.add(dk(1), 0)
	d.add(dk(2), ttl-1) // the end of the first generation
	d.expire(ttl)       // both move to the previous generation
	require.True(t, d.has(dk(1)))
	require.True(t, d.has(dk(2)))
	d.expire(2*ttl - 1)
	require.True(t, d.has(dk(2)), "kept for at least ttl")
	d.expire(2 * ttl)
	require.False(t, d.has(dk(1)))
	require.False(t, d.has(dk(2)), "dropped after at most twice ttl")
	require.Zero(t, d.len())
}

func TestDedupTableGrows(t *testing.T) {
	var tb dedupTable
	for h := uint64(1); h <= 5000; h++ {
		require.True(t, tb.insert(h*0x9E3779B97F4A7C15, 5000))
	}
	require.Equal(t, 5000, tb.n)
	require.LessOrEqual(t, 2*tb.n, len(tb.slots))
	for h := uint64(1); h <= 5000; h++ {
		require.True(t, tb.has(h*0x9E3779B97F4A7C15))
	}
	require.False(t, tb.has(12345))
	require.False(t, tb.insert(12345, 5000), "full")
	require.True(t, tb.insert(0x9E3779B97F4A7C15, 5000), "already there")
	tb.reset()
	require.False(t, tb.has(0x9E3779B97F4A7C15))
}

func TestDedupSetFlushesABatch(t *testing.T) {
	d := newDedupSet(100, time.Hour)
	for i := range 120 {
		d.queue(dk(i))
	}
	require.False(t, d.has(dk(0)), "not before the flush")
	require.Equal(t, 50, d.flush(1), "the batch overflowed two generations of 50")
	require.Equal(t, 70, d.len())
	require.True(t, d.has(dk(119)))
	require.True(t, d.has(dk(50)))
	require.False(t, d.has(dk(49)))
	require.Zero(t, d.flush(2), "nothing queued")
}
