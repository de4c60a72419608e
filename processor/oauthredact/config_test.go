package oauthredact

import (
	"os"
	"path/filepath"
	"strings"
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
	require.ErrorContains(t, err, "fingerprint: name the oauth_fingerprint extension", "the default has no key and must be refused")
}

func TestConfigNewFieldErrors(t *testing.T) {
	cases := map[string]func(*Config){
		"secret_key_patterns[0]":                             func(c *Config) { c.SecretKeyPatterns = []string{"("} },
		"value_patterns[1]":                                  func(c *Config) { c.ValuePatterns = []string{"ok_[a-z]+", "[z-a]"} },
		"value_patterns[0]: must not match the empty string": func(c *Config) { c.ValuePatterns = []string{"x*"} },
		"allow_keys[0]":                                      func(c *Config) { c.AllowKeys = []string{"OAuth.Refresh_Token"} },
		"query_params[0]":                                    func(c *Config) { c.QueryParams = []string{" "} },
		"secret_keys[0]":                                     func(c *Config) { c.SecretKeys = []string{""} },
		"mask: must not start with fp:":                      func(c *Config) { c.Action, c.Mask = ActionMask, "fp:redacted" },
		"mask: must not start with fp:, also for remove":     func(c *Config) { c.Action, c.Mask = ActionRemove, "FP:x" },
		"allow_keys[1]: \"http.request.header.Authorization\" holds a credential": func(c *Config) {
			c.AllowKeys = []string{"x", "http.request.header.Authorization"}
		},
	}
	for field, mutate := range cases {
		cfg := loadConfig(t, "")
		mutate(cfg)
		err := confmap.Validate(cfg)
		require.ErrorContains(t, err, strings.TrimSuffix(field, ", also for remove"))
		assert.NotContains(t, err.Error(), string(cfg.FingerprintKey))
	}
	cfg := loadConfig(t, "full")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"x-api-key"}, cfg.SecretKeys)
	assert.Equal(t, []string{"(?i)password$"}, cfg.SecretKeyPatterns)
	assert.Equal(t, []string{"http.user_agent"}, cfg.AllowKeys)
	assert.Equal(t, []string{"sk_live_[0-9a-zA-Z]{24,}"}, cfg.ValuePatterns)
	assert.Equal(t, []string{"api_key"}, cfg.QueryParams)
	assert.True(t, cfg.Summary)
}

// TestReadmeListsTokenFormats keeps the documented list of token formats in
// step with the code.
func TestReadmeListsTokenFormats(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, f := range BuiltinTokenFormats() {
		assert.Contains(t, string(readme), "| "+f.Name+" | `"+strings.ReplaceAll(f.Regexp, "|", `\|`)+"` |")
	}
}

// TestConfigErrorOrder: Validate reports its errors in the order of the
// fields and their entries, the same on every run.
func TestConfigErrorOrder(t *testing.T) {
	cfg := loadConfig(t, "")
	cfg.Action = ActionRemove
	cfg.Mask = "fp:x"
	cfg.SecretKeys = []string{""}
	cfg.QueryParams = []string{" "}
	cfg.AllowKeys = []string{"access_token", "cookie", ""}
	cfg.SecretKeyPatterns = []string{"("}
	cfg.ValuePatterns = []string{"a*", "["}
	want := []string{
		"mask: must not start with fp:",
		"secret_keys[0]: must not be empty",
		"query_params[0]: must not be empty",
		"allow_keys[2]: must not be empty",
		"allow_keys[0]: \"access_token\" is a secret key",
		"allow_keys[1]: \"cookie\" holds a credential",
		"secret_key_patterns[0]: invalid regular expression",
		"value_patterns[0]: must not match the empty string",
		"value_patterns[1]: invalid regular expression",
	}
	first := cfg.Validate().Error()
	lines := strings.Split(first, "\n")
	require.Len(t, lines, len(want), first)
	for i, w := range want {
		assert.True(t, strings.HasPrefix(lines[i], w), "error %d is %q, want %q", i, lines[i], w)
	}
	for range 20 {
		require.Equal(t, first, cfg.Validate().Error())
	}
}
