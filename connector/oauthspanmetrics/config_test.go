package oauthspanmetrics

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics/internal/metadata"
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

func TestConfigDefaults(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, 15*time.Second, cfg.FlushInterval)
	assert.Equal(t, 50, cfg.MaxProviders)
	assert.True(t, cfg.ExtendedMetrics)
	assert.False(t, cfg.Exemplars)
	assert.Equal(t, []string{"service.name", "service.namespace", "service.instance.id", "deployment.environment.name"}, cfg.ResourceAttributes)
}

func TestConfigCustom(t *testing.T) {
	cfg := loadConfig(t, "custom")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"server"}, cfg.Sides)
	assert.False(t, cfg.ExtendedMetrics)
	assert.Equal(t, []string{"service.name"}, cfg.ResourceAttributes)
}

func TestConfigErrors(t *testing.T) {
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "badside")), "sides")
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "zeroflush")), "flush_interval")
}

// Every error is reported, in field order, the same on every run.
func TestConfigErrorOrder(t *testing.T) {
	cfg := &Config{Sides: []string{"both"}, ResourceAttributes: []string{""}}
	want := "flush_interval: must be positive, got 0s\n" +
		"flow_ttl: must be positive, got 0s\n" +
		"pkce_state_ttl: must be positive, got 0s\n" +
		"max_providers: must be positive, got 0\n" +
		"sides: \"both\" is not one of client, server, unspecified\n" +
		"resource_attributes: empty attribute name"
	for range 20 {
		require.EqualError(t, cfg.Validate(), want)
	}
}
