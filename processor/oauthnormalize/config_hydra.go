package oauthnormalize

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// HydraSpans configures the Ory Hydra traces vocabulary.
type HydraSpans struct {
	Enabled bool `mapstructure:"enabled"`
	// Provider is the oauth.provider written on the records it maps
	// (default hydra; empty writes none).
	Provider string `mapstructure:"provider"`

	_ struct{}
}

// defaultHydra is the vocabulary's default: on, provider hydra.
func defaultHydra() HydraSpans {
	return HydraSpans{Enabled: true, Provider: contract.ProviderHydra}
}
