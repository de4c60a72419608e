package oauthaudit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestConfigOkta(t *testing.T) {
	cfg := loadConfig(t, "okta")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, SourceOkta, cfg.Source)
	p := cfg.Pull.Get()
	require.NotNil(t, p)
	v, ok := p.Headers.Get("Authorization")
	require.True(t, ok)
	assert.Equal(t, "SSWS okta-token-value", string(v))
	assert.Equal(t, 1000, p.Limit)
}

func TestConfigOktaInvalid(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "badokta"))
	require.Error(t, err)
	for _, field := range []string{"push:", "pull.limit:", "pull.bearer_token:", "pull.action:"} {
		assert.Contains(t, err.Error(), field)
	}
	assert.NotContains(t, err.Error(), "okta-token-value")

	err = confmap.Validate(loadConfig(t, "badsource"))
	require.ErrorContains(t, err, "source: must be authplane, okta, auth0 or keycloak")
}
