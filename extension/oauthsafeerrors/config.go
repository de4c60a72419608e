package oauthsafeerrors

import (
	"fmt"

	"go.opentelemetry.io/collector/confmap"
)

// Config configures the oauth_safe_errors extension.
type Config struct {
	// MinTokenLength is the shortest run of token characters (letters,
	// digits, and -._~+/=) masked in an error message.
	MinTokenLength int `mapstructure:"min_token_length"`
	// Mask replaces each echo and token-like run.
	Mask string `mapstructure:"mask"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// maxTokenLength is the largest min_token_length.
const maxTokenLength = 1000

// Validate checks the configuration; errors name the field.
func (c *Config) Validate() error {
	if c.MinTokenLength < 8 {
		return fmt.Errorf("min_token_length: must be at least 8, got %d", c.MinTokenLength)
	}
	if c.MinTokenLength > maxTokenLength {
		// the token expression repeats at most 1000 times (regexp syntax limit)
		return fmt.Errorf("min_token_length: must be at most %d, got %d", maxTokenLength, c.MinTokenLength)
	}
	return nil
}
