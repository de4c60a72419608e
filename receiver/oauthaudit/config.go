package oauthaudit

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

// Config configures the oauth_audit receiver: a pull section, a push section,
// or both.
type Config struct {
	Pull *PullConfig `mapstructure:"pull"`
	Push *PushConfig `mapstructure:"push"`
	// Storage is the id of a storage extension that keeps the pull cursor.
	Storage *component.ID `mapstructure:"storage"`

	_ struct{}
}

// PullConfig polls an AuthPlane-compatible GET {endpoint}/admin/audit.
type PullConfig struct {
	Endpoint     string              `mapstructure:"endpoint"`
	BearerToken  configopaque.String `mapstructure:"bearer_token"`
	PollInterval time.Duration       `mapstructure:"poll_interval"`
	Limit        int                 `mapstructure:"limit"`
}

// PushConfig serves an HTTP endpoint that accepts audit events.
type PushConfig struct {
	Endpoint string `mapstructure:"endpoint"`
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; errors name the field.
func (c *Config) Validate() error {
	if c.Pull == nil && c.Push == nil {
		return errors.New("configure pull, push, or both")
	}
	var errs []error
	if p := c.Pull; p != nil {
		if u, err := url.Parse(p.Endpoint); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("pull.endpoint: %q is not an absolute http(s) URL", p.Endpoint))
		}
		if p.PollInterval <= 0 {
			errs = append(errs, fmt.Errorf("pull.poll_interval: must be positive, got %s", p.PollInterval))
		}
		if p.Limit <= 0 {
			errs = append(errs, fmt.Errorf("pull.limit: must be positive, got %d", p.Limit))
		}
	}
	if p := c.Push; p != nil && p.Endpoint == "" {
		errs = append(errs, errors.New("push.endpoint: must not be empty"))
	}
	return errors.Join(errs...)
}
