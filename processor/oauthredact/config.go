package oauthredact

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// Actions applied to a secret.
const (
	ActionFingerprint = "fingerprint"
	ActionMask        = "mask"
	ActionRemove      = "remove"
)

// Config configures the oauth_redact processor.
type Config struct {
	// Fingerprint names the oauth_fingerprint extension that holds the key
	// (and the previous keys of a rotation). Required with action
	// "fingerprint", unless the deprecated FingerprintKey is set.
	Fingerprint *component.ID `mapstructure:"fingerprint"`
	// FingerprintKey is the HMAC key of fingerprints, at least 32 bytes.
	// Deprecated: configure the key once in the oauth_fingerprint extension
	// and reference it with Fingerprint. Accepted for one release.
	FingerprintKey configopaque.String `mapstructure:"fingerprint_key"`
	// Action is fingerprint (default), mask or remove. With remove, an
	// attribute under a secret key is deleted; a secret inside a longer
	// string is masked.
	Action string `mapstructure:"action"`
	// Mask replaces secrets with action "mask" (and inside strings with
	// action "remove").
	Mask string `mapstructure:"mask"`
	// SecretKeys are extra attribute keys whose whole value is secret,
	// compared case-insensitively and exactly, on top of the contract's keys.
	SecretKeys []string `mapstructure:"secret_keys"`
	// SecretKeyPatterns are regular expressions; a key matching one is secret.
	SecretKeyPatterns []string `mapstructure:"secret_key_patterns"`
	// AllowKeys are keys whose values are not searched by the detectors
	// (exact, case-insensitive). A contract secret key cannot be allowed.
	AllowKeys []string `mapstructure:"allow_keys"`
	// ValuePatterns are extra token formats (regular expressions) searched
	// in every string, on top of the built-in provider formats. With a
	// capturing group, only the first group is the secret.
	ValuePatterns []string `mapstructure:"value_patterns"`
	// QueryParams are extra parameter names that are secret inside URLs,
	// form-encoded and JSON text.
	QueryParams []string `mapstructure:"query_params"`
	// Summary adds oauth.redact.count (the number of secrets replaced) to
	// each span and log record it touched.
	Summary bool `mapstructure:"summary"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration. Its errors name the field and never
// contain the key.
func (c *Config) Validate() error {
	var errs []error
	switch c.Action {
	case ActionFingerprint:
		errs = append(errs, keysource.ValidateRef(c.Fingerprint, c.FingerprintKey)...)
	case ActionMask, ActionRemove:
	default:
		errs = append(errs, fmt.Errorf("action: %q is not one of fingerprint, mask, remove", c.Action))
	}
	if c.Action == ActionMask && c.Mask == "" {
		errs = append(errs, errors.New("mask: must not be empty with action mask"))
	}
	if c.Action != ActionFingerprint && len(c.Mask) >= len(contract.FingerprintPrefix) && strings.EqualFold(c.Mask[:len(contract.FingerprintPrefix)], contract.FingerprintPrefix) {
		// every masked secret would pass for the same fingerprint downstream
		errs = append(errs, errors.New("mask: must not start with fp: (a masked value is never a fingerprint)"))
	}
	errs = append(errs, checkNames("secret_keys", c.SecretKeys)...)
	errs = append(errs, checkNames("query_params", c.QueryParams)...)
	errs = append(errs, checkNames("allow_keys", c.AllowKeys)...)
	for i, k := range c.AllowKeys {
		if contract.IsSecretKey(k) {
			errs = append(errs, fmt.Errorf("allow_keys[%d]: %q is a secret key of the contract and cannot be allowed", i, k))
		} else if isHeaderKey(k) {
			errs = append(errs, fmt.Errorf("allow_keys[%d]: %q holds a credential (Authorization or cookie header) and cannot be allowed", i, k))
		}
	}
	for i, p := range c.SecretKeyPatterns {
		if _, err := regexp.Compile(p); err != nil {
			errs = append(errs, fmt.Errorf("secret_key_patterns[%d]: invalid regular expression: %w", i, err))
		}
	}
	for i, p := range c.ValuePatterns {
		re, err := regexp.Compile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("value_patterns[%d]: invalid regular expression: %w", i, err))
			continue
		}
		if re.MatchString("") {
			errs = append(errs, fmt.Errorf("value_patterns[%d]: must not match the empty string", i))
		}
	}
	return errors.Join(errs...)
}

func checkNames(field string, names []string) []error {
	var errs []error
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			errs = append(errs, fmt.Errorf("%s[%d]: must not be empty", field, i))
		}
	}
	return errs
}

// isHeaderKey reports whether key is an Authorization or cookie header.
func isHeaderKey(key string) bool {
	return keys.HeaderKind([]byte(strings.ToLower(key))) != keys.Text
}
