package oauthfindings

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthfindings/internal/metadata"
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
	assert.Equal(t, []string{"service.name", "service.namespace", "service.instance.id", "deployment.environment.name"}, cfg.ResourceAttributes)
}

func TestConfigCustom(t *testing.T) {
	cfg := loadConfig(t, "custom")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"service.name", "k8s.namespace.name"}, cfg.ResourceAttributes)
}

func TestConfigErrors(t *testing.T) {
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "empty")), "resource_attributes: empty")
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "dup")), `"service.name" listed twice`)
}

// Errors come in the order of the list, the same on every run.
func TestConfigErrorOrder(t *testing.T) {
	cfg := &Config{ResourceAttributes: []string{"b", "", "a", "b", "a"}}
	want := "resource_attributes: empty attribute name\n" +
		"resource_attributes: \"b\" listed twice\n" +
		"resource_attributes: \"a\" listed twice"
	for range 20 {
		require.EqualError(t, cfg.Validate(), want)
	}
}
