package oauthaudit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestConfigKeycloak(t *testing.T) {
	cfg := loadConfig(t, "keycloak")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, SourceKeycloak, cfg.Source)
	p := cfg.Pull.Get()
	require.NotNil(t, p)
	assert.Equal(t, "acme", p.Realm)
	assert.Equal(t, []string{"CODE_TO_TOKEN", "REFRESH_TOKEN", "REFRESH_TOKEN_ERROR"}, p.EventTypes)
	assert.Equal(t, "oauth2client/keycloak", p.Auth.Get().AuthenticatorID.String())
}

func TestConfigKeycloakInvalid(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "badkeycloak"))
	require.Error(t, err)
	for _, field := range []string{"push:", "pull.realm:", "pull.bearer_token:", "pull.client_id:", "pull.event_types:"} {
		assert.Contains(t, err.Error(), field)
	}
	assert.NotContains(t, err.Error(), "keycloak-token-value")

	err = confmap.Validate(loadConfig(t, "realmnotkeycloak"))
	require.ErrorContains(t, err, "pull.realm, pull.event_types: only source keycloak")

	// Without the admin token the source would meet 401 forever.
	err = confmap.Validate(loadConfig(t, "keycloaknoauth"))
	require.ErrorContains(t, err, "pull.auth: source keycloak needs the admin token")
	err = confmap.Validate(loadConfig(t, "keycloakheader"))
	require.NoError(t, err, "an Authorization header (any case) is an admin token")
}
