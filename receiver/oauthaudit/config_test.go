package oauthaudit

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
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

func TestConfigPull(t *testing.T) {
	cfg := loadConfig(t, "pull")
	require.NoError(t, confmap.Validate(cfg))
	require.NotNil(t, cfg.Pull)
	assert.Equal(t, 30*time.Second, cfg.Pull.PollInterval)
	assert.Equal(t, 500, cfg.Pull.Limit)
	assert.Nil(t, cfg.Push)
}

func TestConfigPush(t *testing.T) {
	cfg := loadConfig(t, "push")
	require.NoError(t, confmap.Validate(cfg))
	require.NotNil(t, cfg.Push)
}

func TestConfigErrors(t *testing.T) {
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "empty")), "pull, push")
	err := confmap.Validate(loadConfig(t, "badpull"))
	require.ErrorContains(t, err, "pull.endpoint")
	require.ErrorContains(t, err, "pull.poll_interval")
}
