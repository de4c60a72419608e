package oauthspanmetrics

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Config configures the oauth_span_metrics connector.
type Config struct {
	// FlushInterval is how often the cumulative metrics are emitted.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// ResourceAttributes are kept on the metrics so each service has its own series.
	ResourceAttributes []string `mapstructure:"resource_attributes"`
	// FlowTTL bounds how long an authorize waits for its callback.
	FlowTTL time.Duration `mapstructure:"flow_ttl"`
	// PKCEStateTTL expires created PKCE states never validated or cleaned.
	PKCEStateTTL time.Duration `mapstructure:"pkce_state_ttl"`
	// MaxProviders distinct provider label values, then "other".
	MaxProviders int `mapstructure:"max_providers"`
	// ExtendedMetrics adds the contract's three extra metrics.
	ExtendedMetrics bool `mapstructure:"extended_metrics"`
	// Exemplars attaches trace and span ids to counters and histograms.
	Exemplars bool `mapstructure:"exemplars"`
	// Sides restricts counting to the given oauth.side values; empty counts all.
	Sides []string `mapstructure:"sides"`
	// Storage is the id of a storage extension that keeps the gauges' state.
	Storage *component.ID `mapstructure:"storage"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; errors name the field.
func (c *Config) Validate() error {
	var errs []error
	// A slice, not a map: the errors come in field order on every run.
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"flush_interval", c.FlushInterval}, {"flow_ttl", c.FlowTTL}, {"pkce_state_ttl", c.PKCEStateTTL},
	} {
		if d.d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %s", d.name, d.d))
		}
	}
	if c.MaxProviders <= 0 {
		errs = append(errs, fmt.Errorf("max_providers: must be positive, got %d", c.MaxProviders))
	}
	for _, s := range c.Sides {
		switch s {
		case contract.SideClient, contract.SideServer, contract.SideUnspecified:
		default:
			errs = append(errs, fmt.Errorf("sides: %q is not one of client, server, unspecified", s))
		}
	}
	for _, a := range c.ResourceAttributes {
		if a == "" {
			errs = append(errs, errors.New("resource_attributes: empty attribute name"))
		}
	}
	return errors.Join(errs...)
}
