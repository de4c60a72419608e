package oauthnormalize

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadata"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/generichttp"
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

func TestDefaultConfigHasEveryVocabularyOn(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, confmap.Validate(cfg))
	v := cfg.Vocabularies
	assert.True(t, v.Pino.Enabled && v.AuthPlaneAudit.Enabled && v.AuthPlaneSpans.Enabled && v.AuthPlaneSlog.Enabled && v.GenericHTTP.Enabled)
	assert.Equal(t, generichttp.DefaultEndpoints(), v.GenericHTTP.Endpoints)
	assert.Equal(t, generichttp.DefaultServerEndpoints(), v.GenericHTTP.ServerEndpoints)
	assert.Equal(t, "authplane", v.AuthPlaneSlog.Provider)
}

func TestCustomConfig(t *testing.T) {
	cfg := loadConfig(t, "custom")
	require.NoError(t, confmap.Validate(cfg))
	v := cfg.Vocabularies
	assert.False(t, v.Pino.Enabled)
	assert.True(t, v.AuthPlaneAudit.Enabled, "a vocabulary not mentioned stays on")
	assert.Equal(t, "acme-auth", v.AuthPlaneSlog.Provider)
	g := v.GenericHTTP
	assert.Equal(t, []string{"idp", "login-service"}, g.AuthorizationServers)
	assert.Equal(t, 50, g.MaxRememberedServers)
	assert.Equal(t, []string{"/identity/connect/token"}, g.Endpoints.Token, "a listed operation replaces its defaults")
	assert.Equal(t, generichttp.DefaultEndpoints().Authorize, g.Endpoints.Authorize, "others keep theirs")
	assert.Equal(t, []string{"/clients"}, g.ServerEndpoints.Register)
}

func TestConfigErrorsNameTheField(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "badpaths"))
	require.Error(t, err)
	for _, want := range []string{
		"vocabularies.generic_http.max_remembered_servers",
		"vocabularies.generic_http.authorization_servers[0]",
		`vocabularies.generic_http.endpoints.token[0]: "oauth/token" must be an absolute path`,
		"vocabularies.generic_http.endpoints.token[1]",
		`vocabularies.generic_http.endpoints.revoke[0]: "/oauth2/authorize" is already listed as vocabularies.generic_http.endpoints.authorize[1]`,
		"vocabularies.generic_http.server_endpoints.register[0]",
	} {
		assert.Contains(t, err.Error(), want)
	}
}
