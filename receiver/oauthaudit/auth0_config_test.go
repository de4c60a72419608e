package oauthaudit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestConfigAuth0(t *testing.T) {
	cfg := loadConfig(t, "auth0")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, SourceAuth0, cfg.Source)
	p := cfg.Pull.Get()
	require.NotNil(t, p)
	require.True(t, p.Auth.HasValue())
	assert.Equal(t, "oauth2client/auth0", p.Auth.Get().AuthenticatorID.String())
	assert.Equal(t, "90020230726131118200088000000000000001223372038981421504", p.StartLogID)
	push := cfg.Push.Get()
	require.NotNil(t, push)
	assert.Equal(t, "Bearer auth0-stream-token-value", string(push.Authorization))
}

func TestConfigAuth0Invalid(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "badauth0"))
	require.Error(t, err)
	for _, field := range []string{"pull.limit:", "pull.bearer_token:", "pull.client_id:", "pull.initial_lookback:", "push.authorization:"} {
		assert.Contains(t, err.Error(), field)
	}
	assert.NotContains(t, err.Error(), "auth0-token-value")

	err = confmap.Validate(loadConfig(t, "startlogid_okta"))
	require.ErrorContains(t, err, "pull.start_log_id: only source auth0")
}
