// Package redisstate is the Redis side of oauth_security's shared detection
// state: a first-use register of 64-bit keys (fingerprints folded with a kind
// and side) to packed 64-bit values, shared by every gateway of a deployment.
package redisstate

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
)

// Config is oauth_security's `shared_state:` block.
type Config struct {
	// Endpoint is host:port of a standalone Redis. Exactly one of Endpoint
	// and Sentinel is set.
	Endpoint string `mapstructure:"endpoint"`
	// Sentinel finds the master through Redis Sentinel.
	Sentinel *SentinelConfig `mapstructure:"sentinel"`
	// Username and Password: Redis AUTH (ACL user, or the default user when
	// Username is empty).
	Username string              `mapstructure:"username"`
	Password configopaque.String `mapstructure:"password"`
	// DB is the logical database (SELECT).
	DB int `mapstructure:"db"`
	// TLS, when set, connects with TLS (to Sentinel and master alike).
	TLS *configtls.ClientConfig `mapstructure:"tls"`
	// KeyPrefix namespaces the keys per deployment: "<key_prefix>:" and the 8 bytes of the folded key.
	KeyPrefix string `mapstructure:"key_prefix"`
	// Timeout bounds one batch's round trip (dial, write, read); past it the
	// batch is decided on local state.
	Timeout time.Duration `mapstructure:"timeout"`
	// RetryInterval: after a failed round trip, batches use local state only
	// for this long before Redis is tried again.
	RetryInterval time.Duration `mapstructure:"retry_interval"`
	// MaxBacklog bounds the first uses learned during an outage that are
	// published to Redis when it is back.
	MaxBacklog int `mapstructure:"max_backlog"`

	_ struct{}
}

// SentinelConfig locates the master through Sentinel.
type SentinelConfig struct {
	MasterName string              `mapstructure:"master_name"`
	Addresses  []string            `mapstructure:"addresses"`
	Username   string              `mapstructure:"username"`
	Password   configopaque.String `mapstructure:"password"`

	_ struct{}
}

// Default is the block's defaults for the fields not set.
func Default() Config {
	return Config{Timeout: 250 * time.Millisecond, RetryInterval: time.Second, MaxBacklog: 100_000}
}

// Validate checks the block; errors name the field under
func (c *Config) Validate() error {
	var errs []error
	switch {
	case c.Endpoint == "" && c.Sentinel == nil:
		errs = append(errs, errors.New("one of endpoint and sentinel is required"))
	case c.Endpoint != "" && c.Sentinel != nil:
		errs = append(errs, errors.New("endpoint and sentinel are exclusive"))
	case c.Endpoint != "":
		if err := hostPort(c.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("endpoint: %w", err))
		}
	default:
		if c.Sentinel.MasterName == "" {
			errs = append(errs, errors.New("sentinel.master_name: required"))
		}
		if len(c.Sentinel.Addresses) == 0 {
			errs = append(errs, errors.New("sentinel.addresses: at least one required"))
		}
		for _, a := range c.Sentinel.Addresses {
			if err := hostPort(a); err != nil {
				errs = append(errs, fmt.Errorf("sentinel.addresses: %w", err))
			}
		}
	}
	if c.KeyPrefix == "" || strings.ContainsAny(c.KeyPrefix, " \t\r\n") {
		errs = append(errs, fmt.Errorf("key_prefix: required, without spaces (one per deployment), got %q", c.KeyPrefix))
	}
	if c.DB < 0 {
		errs = append(errs, fmt.Errorf("db: must not be negative, got %d", c.DB))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: must be positive, got %s", c.Timeout))
	}
	if c.RetryInterval <= 0 {
		errs = append(errs, fmt.Errorf("retry_interval: must be positive, got %s", c.RetryInterval))
	}
	if c.MaxBacklog < 0 {
		errs = append(errs, fmt.Errorf("max_backlog: must not be negative, got %d", c.MaxBacklog))
	}
	return errors.Join(errs...)
}

func hostPort(s string) error {
	if _, _, err := net.SplitHostPort(s); err != nil {
		return fmt.Errorf("want host:port, got %q", s)
	}
	return nil
}
