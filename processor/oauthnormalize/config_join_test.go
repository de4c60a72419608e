package oauthnormalize

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestJoinConfig(t *testing.T) {
	def := loadConfig(t, "").Join
	assert.Equal(t, Join{Enabled: true, Wait: 10 * time.Second, MaxSpans: 50000, MaxTraces: 5000}, def)

	cfg := loadConfig(t, "join")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, Join{Enabled: true, Wait: 30 * time.Second, MaxSpans: 2000, MaxTraces: 100}, cfg.Join)

	off := loadConfig(t, "nojoin")
	require.NoError(t, confmap.Validate(off))
	assert.False(t, off.Join.Enabled)
	assert.Equal(t, 10*time.Second, off.Join.Wait, "the other keys keep their defaults")
}

func TestJoinConfigErrorsNameTheField(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "badjoin"))
	require.Error(t, err)
	for _, want := range []string{
		"join.wait: must be more than 0s and at most 5m0s, got 0s",
		"join.max_spans: must be at least 1, got 0",
		"join.max_traces: must be at least 1, got -1",
	} {
		assert.Contains(t, err.Error(), want)
	}
	long := createDefaultConfig().(*Config)
	long.Join.Wait = time.Hour
	assert.ErrorContains(t, long.Validate(), "join.wait")
	long.Join.Enabled = false
	assert.NoError(t, long.Validate(), "a switched-off join is not checked")
}
