package oauthsecurity

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/redisstate"
)

// Config configures the oauth_security processor.
type Config struct {
	// Fingerprint names the oauth_fingerprint extension that holds the key
	// (and the previous keys of a rotation): raw secrets that reach the
	// processor are fingerprinted with it, and stored state is checked
	// against it.
	Fingerprint *component.ID `mapstructure:"fingerprint"`
	// FingerprintKey is the key of its own. Deprecated: use Fingerprint.
	// Accepted for one release; it must equal every other component's key.
	FingerprintKey configopaque.String `mapstructure:"fingerprint_key"`
	// ReuseGracePeriod tolerates concurrent refreshes of one token.
	ReuseGracePeriod time.Duration `mapstructure:"reuse_grace_period"`
	RefreshTokenTTL  time.Duration `mapstructure:"refresh_token_ttl"`
	CodeTTL          time.Duration `mapstructure:"code_ttl"`
	StateTTL         time.Duration `mapstructure:"state_ttl"`
	// MaxEntries bounds the tracked fingerprints; the oldest go first.
	MaxEntries int `mapstructure:"max_entries"`
	// Storage is the id of a storage extension that keeps state across restarts.
	Storage *component.ID `mapstructure:"storage"`
	// CheckpointInterval bounds what a crash can lose when Storage is set.
	CheckpointInterval time.Duration `mapstructure:"checkpoint_interval"`
	// SharedState, when present, shares the detection state of several
	// gateways through Redis (backend.go, store_shared.go).
	SharedState configoptional.Optional[redisstate.Config] `mapstructure:"shared_state"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; errors name the field.
func (c *Config) Validate() error {
	var errs []error
	errs = append(errs, keysource.ValidateRef(c.Fingerprint, c.FingerprintKey)...)
	if c.ReuseGracePeriod < 0 {
		errs = append(errs, errors.New("reuse_grace_period: must not be negative"))
	}
	// A slice, not a map: the errors come in field order on every run.
	for _, f := range []struct {
		name string
		ttl  time.Duration
	}{
		{"refresh_token_ttl", c.RefreshTokenTTL}, {"code_ttl", c.CodeTTL},
		{"state_ttl", c.StateTTL}, {"checkpoint_interval", c.CheckpointInterval},
	} {
		if f.ttl <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %s", f.name, f.ttl))
		}
	}
	if c.MaxEntries <= 0 {
		errs = append(errs, fmt.Errorf("max_entries: must be positive, got %d", c.MaxEntries))
	}
	if c.SharedState.HasValue() && c.Storage != nil {
		errs = append(errs, errStorageAndShared)
	}
	return errors.Join(errs...)
}
