package oauthfingerprint

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Config configures the oauth_fingerprint extension. Both fields are
// configopaque: print-config and zpages show [REDACTED].
type Config struct {
	// Key is the current fingerprint key: every new fingerprint uses it.
	// At least 32 bytes; give it from ${env:...} or ${file:...}.
	Key configopaque.String `mapstructure:"key"`
	// PreviousKeys are keys rotated away from, newest first. While one is
	// listed, a secret first seen under it is still recognised.
	PreviousKeys []configopaque.String `mapstructure:"previous_keys"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate names the field of every problem and never quotes a key.
func (c *Config) Validate() error {
	var errs []error
	if err := contract.ValidateKey(string(c.Key)); err != nil {
		errs = append(errs, fmt.Errorf("key %w", err))
	}
	for i, k := range c.PreviousKeys {
		switch {
		case k == "":
			errs = append(errs, fmt.Errorf("previous_keys[%d]: must not be empty", i))
		case len(k) < contract.MinKeyBytes:
			errs = append(errs, fmt.Errorf("previous_keys[%d]: is %d bytes long, at least %d are required", i, len(k), contract.MinKeyBytes))
		case k == c.Key:
			errs = append(errs, fmt.Errorf("previous_keys[%d]: equals key: a rotation lists the old key here and the new one in key", i))
		}
		for j := range i {
			if c.PreviousKeys[j] == k && k != "" {
				errs = append(errs, fmt.Errorf("previous_keys[%d]: repeats previous_keys[%d]", i, j))
				break
			}
		}
	}
	return errors.Join(errs...)
}
