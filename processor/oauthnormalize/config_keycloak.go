package oauthnormalize

// KeycloakSpans configures the Keycloak traces vocabulary.
type KeycloakSpans struct {
	Enabled bool `mapstructure:"enabled"`
	// Provider is the oauth.provider written on the records it maps
	// (default keycloak; empty writes none).
	Provider string `mapstructure:"provider"`

	_ struct{}
}
