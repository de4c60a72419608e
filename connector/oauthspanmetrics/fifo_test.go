package oauthspanmetrics

import (
	"testing"

	"github.com/stretchr/testify/require"
)

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
