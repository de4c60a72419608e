package testutil

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadProcSelf(t *testing.T) {
	p, err := ReadProc(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, p.RSS)
	assert.GreaterOrEqual(t, p.Peak, p.RSS)
}
