package oauthsecurity

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
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
	assert.Equal(t, 720*time.Hour, cfg.RefreshTokenTTL)
	assert.Equal(t, 10*time.Minute, cfg.CodeTTL)
	assert.Equal(t, 10*time.Minute, cfg.StateTTL)
	assert.Equal(t, 1_000_000, cfg.MaxEntries)
	assert.Equal(t, 5*time.Second, cfg.CheckpointInterval)
	assert.Zero(t, cfg.ReuseGracePeriod)
}

func TestConfigCustom(t *testing.T) {
	cfg := loadConfig(t, "custom")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, 2*time.Second, cfg.ReuseGracePeriod)
	require.NotNil(t, cfg.Storage)
	assert.Equal(t, "file_storage/security", cfg.Storage.String())
	require.NotNil(t, cfg.Fingerprint)
	assert.Equal(t, "oauth_fingerprint/rotating", cfg.Fingerprint.String())
	// the deprecated key of its own still validates, for one release
	require.NoError(t, confmap.Validate(loadConfig(t, "deprecatedkey")))
}

func TestConfigErrors(t *testing.T) {
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "nokey")), "fingerprint: name the oauth_fingerprint extension")
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "bothkeys")), "fingerprint_key: remove it")
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "zerottl")), "code_ttl")
}

// Every error, in field order, the same on every run.
func TestConfigErrorOrder(t *testing.T) {
	cfg := &Config{ReuseGracePeriod: -1}
	want := "fingerprint: name the oauth_fingerprint extension that holds the key (for example `fingerprint: oauth_fingerprint`)\n" +
		"reuse_grace_period: must not be negative\n" +
		"refresh_token_ttl: must be positive, got 0s\n" +
		"code_ttl: must be positive, got 0s\n" +
		"state_ttl: must be positive, got 0s\n" +
		"checkpoint_interval: must be positive, got 0s\n" +
		"max_entries: must be positive, got 0"
	for range 20 {
		require.EqualError(t, cfg.Validate(), want)
	}
}
