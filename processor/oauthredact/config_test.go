package oauthredact

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.MustNewIDWithName(metadata.Type.String(), name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestConfigValid(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, ActionFingerprint, cfg.Action)

	mask := loadConfig(t, "mask")
	require.NoError(t, confmap.Validate(mask), "mask needs no key")
	assert.Equal(t, "***", mask.Mask)
}

func TestConfigErrorsNameTheField(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "shortkey"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fingerprint_key")
	assert.NotContains(t, err.Error(), "too-short", "the key must never appear in an error")

	err = confmap.Validate(loadConfig(t, "badaction"))
	require.ErrorContains(t, err, "action")

	err = confmap.Validate(NewFactory().CreateDefaultConfig())
	require.ErrorContains(t, err, "fingerprint_key", "the default has no key and must be refused")
}
