package oauthfingerprint

import (
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
)

// keyExtension serves the configured keys to the components that name it.
type keyExtension struct {
	component.StartFunc
	component.ShutdownFunc
	keys keysource.Keys
}

var _ keysource.Source = (*keyExtension)(nil)

func newExtension(cfg *Config) *keyExtension {
	k := keysource.Keys{Current: string(cfg.Key)}
	for _, p := range cfg.PreviousKeys {
		k.Previous = append(k.Previous, string(p))
	}
	return &keyExtension{keys: k}
}

// FingerprintKeys returns the current and previous keys. The slice is a
// copy: a component cannot change what another one sees.
func (e *keyExtension) FingerprintKeys() keysource.Keys {
	k := e.keys
	k.Previous = append([]string(nil), e.keys.Previous...)
	return k
}
