package oauthfindings

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/confmap"
)

// Config configures the oauth_findings connector.
type Config struct {
	// ResourceAttributes are copied from the span's resource onto the
	// finding's log resource (for example the Loki labels service.name).
	ResourceAttributes []string `mapstructure:"resource_attributes"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; errors name the field.
func (c *Config) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, a := range c.ResourceAttributes {
		if a == "" {
			errs = append(errs, errors.New("resource_attributes: empty attribute name"))
			continue
		}
		if seen[a] {
			errs = append(errs, fmt.Errorf("resource_attributes: %q listed twice", a))
		}
		seen[a] = true
	}
	return errors.Join(errs...)
}
