package oauthaudit

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
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
	p := cfg.Pull.Get()
	require.NotNil(t, p)
	assert.Equal(t, "https://auth.example.com", p.Endpoint)
	assert.Equal(t, 30*time.Second, p.PollInterval)
	assert.Equal(t, 500, p.Limit)
	assert.Equal(t, "client-a", p.ClientID)
	assert.Equal(t, 5*time.Second, p.Timeout)
	assert.Equal(t, "admin-token-value", string(p.BearerToken))
	assert.Equal(t, defaultBackoffInitial, p.Backoff.InitialInterval)
	assert.False(t, cfg.Push.HasValue())
	require.NotNil(t, cfg.Storage)
	assert.Equal(t, "file_storage/audit", cfg.Storage.String())
}

func TestConfigSectionDefaults(t *testing.T) {
	cfg := loadConfig(t, "pull_defaults")
	require.NoError(t, confmap.Validate(cfg))
	p := cfg.Pull.Get()
	require.NotNil(t, p)
	assert.Equal(t, defaultPollInterval, p.PollInterval)
	assert.Equal(t, defaultLimit, p.Limit)
	assert.Equal(t, defaultBackoffMax, p.Backoff.MaxInterval)
	assert.Equal(t, time.Duration(0), p.InitialLookback)
	assert.False(t, cfg.Push.HasValue())

	cfg = loadConfig(t, "push_defaults")
	require.NoError(t, confmap.Validate(cfg))
	s := cfg.Push.Get()
	require.NotNil(t, s, "an empty push: section enables push with defaults")
	assert.Equal(t, "localhost:4320", s.NetAddr.Endpoint)
	assert.Equal(t, int64(5<<20), s.MaxRequestBodySize)
	assert.Equal(t, "/v1/audit", s.Path)
	assert.Equal(t, "X-Signature-256", s.HMAC.SignatureHeader)
	assert.Equal(t, defaultRetryAfter, s.RetryAfter)
	assert.False(t, cfg.Pull.HasValue())
}

func TestConfigSectionDisabled(t *testing.T) {
	cfg := loadConfig(t, "pull_disabled")
	require.NoError(t, confmap.Validate(cfg))
	assert.False(t, cfg.Pull.HasValue())
	assert.True(t, cfg.Push.HasValue())
}

func TestConfigUnknownKeyNamed(t *testing.T) {
	cm := confmap.NewFromStringMap(map[string]any{"pull": map[string]any{"endpoint": "http://x", "poll_intervall": "1s"}})
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	err := cm.Unmarshal(cfg)
	require.ErrorContains(t, err, "poll_intervall")
}

func TestConfigPush(t *testing.T) {
	cfg := loadConfig(t, "push")
	require.NoError(t, confmap.Validate(cfg))
	s := cfg.Push.Get()
	require.NotNil(t, s)
	assert.Equal(t, "localhost:4320", s.NetAddr.Endpoint)
	assert.Equal(t, "X-Timestamp", s.HMAC.TimestampHeader)
	assert.Equal(t, defaultReplayWindow, s.HMAC.ReplayWindow)

	cfg = loadConfig(t, "both")
	require.NoError(t, confmap.Validate(cfg))
	assert.True(t, cfg.Pull.HasValue())
	require.True(t, cfg.Push.HasValue())
	assert.True(t, cfg.Push.Get().Auth.HasValue())
	assert.Equal(t, "/v1/audit", cfg.Push.Get().Path)
}

func TestConfigErrors(t *testing.T) {
	require.ErrorContains(t, confmap.Validate(loadConfig(t, "empty")), "pull, push")

	err := confmap.Validate(loadConfig(t, "badpull"))
	require.Error(t, err)
	for _, field := range []string{"pull.endpoint", "pull.poll_interval", "pull.limit"} {
		assert.ErrorContains(t, err, field)
	}
	assert.NotContains(t, err.Error(), "super-secret-token")

	err = confmap.Validate(loadConfig(t, "badpush"))
	require.Error(t, err)
	for _, field := range []string{"push.path", "push.max_request_body_size", "push.hmac.timestamp_header"} {
		assert.ErrorContains(t, err, field)
	}
}

// A misspelt key fails at any depth: a typo in push.hmac would otherwise
// switch signature checks off without a word.
func TestConfigUnknownKeysAtAnyDepth(t *testing.T) {
	for want, m := range map[string]map[string]any{
		"unknown keys: bogus":                    {"pull": map[string]any{"endpoint": "http://x", "bogus": 1}},
		"unknown keys: backoff::initial_intervl": {"pull": map[string]any{"endpoint": "http://x", "backoff": map[string]any{"initial_intervl": "1s"}}},
		"unknown keys: tls::insecure_skip_verfy": {"pull": map[string]any{"endpoint": "http://x", "tls": map[string]any{"insecure_skip_verfy": true}}},
		"unknown keys: hmac::secrt":              {"push": map[string]any{"hmac": map[string]any{"secrt": "s"}}},
		"allowed_originz":                        {"push": map[string]any{"cors": map[string]any{"allowed_originz": []string{"x"}}}},
	} {
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		err := confmap.NewFromStringMap(m).Unmarshal(cfg)
		require.ErrorContains(t, err, want)
	}
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"pull": map[string]any{"endpoint": "http://x", "backoff": map[string]any{"initial_interval": "2s"}, "tls": map[string]any{"insecure": true}, "timeout": "3s"},
		"push": map[string]any{"hmac": map[string]any{"secret": "s", "timestamp_header": "X-T"}, "tls": map[string]any{"cert_file": "c", "key_file": "k"}},
	}).Unmarshal(cfg))
	assert.Equal(t, 2*time.Second, cfg.Pull.Get().Backoff.InitialInterval)
	assert.True(t, cfg.Pull.Get().TLS.Insecure)
	assert.Equal(t, "X-T", cfg.Push.Get().HMAC.TimestampHeader)
}

// Errors come in field order, pull before push, the same on every run.
func TestConfigErrorOrder(t *testing.T) {
	pull := defaultPullConfig()
	pull.PollInterval, pull.Limit = 0, 0
	push := defaultPushConfig()
	push.Path, push.RetryAfter = "v1", 0
	cfg := &Config{Pull: configoptional.Some(pull), Push: configoptional.Some(push)}
	want := "pull.endpoint: must be an absolute http(s) URL\n" +
		"pull.poll_interval: must be positive, got 0s\n" +
		"pull.limit: must be positive, got 0\n" +
		"push.path: must start with '/', got \"v1\"\n" +
		"push.retry_after: must be at least 1s, got 0s"
	for range 20 {
		require.EqualError(t, cfg.Validate(), want)
	}
}
