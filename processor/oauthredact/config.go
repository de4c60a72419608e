package oauthredact

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Actions applied to a secret.
const (
	ActionFingerprint = "fingerprint"
	ActionMask        = "mask"
	ActionRemove      = "remove"
)

// Config configures the oauth_redact processor.
type Config struct {
	// FingerprintKey is the HMAC key of fingerprints; at least 32 bytes.
	// Required with action "fingerprint".
	FingerprintKey configopaque.String `mapstructure:"fingerprint_key"`
	// Action is fingerprint (default), mask or remove.
	Action string `mapstructure:"action"`
	// Mask replaces secrets with action "mask".
	Mask string `mapstructure:"mask"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration. Its errors name the field and never
// contain the key.
func (c *Config) Validate() error {
	var errs []error
	switch c.Action {
	case ActionFingerprint:
		if err := contract.ValidateKey(string(c.FingerprintKey)); err != nil {
			errs = append(errs, fmt.Errorf("fingerprint_key %w", err))
		}
	case ActionMask, ActionRemove:
	default:
		errs = append(errs, fmt.Errorf("action: %q is not one of fingerprint, mask, remove", c.Action))
	}
	if c.Action == ActionMask && c.Mask == "" {
		errs = append(errs, errors.New("mask: must not be empty with action mask"))
	}
	return errors.Join(errs...)
}
