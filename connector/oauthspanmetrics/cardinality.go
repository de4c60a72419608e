package oauthspanmetrics

import (
	"slices"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Cardinality: every label value goes through bound or provider, which keep
// the series count bounded and count what they replace by other.

// grantTypes are the registered OAuth grant types, the grant_type label
// values; anything else is other. internal/contract does not list them yet.
var grantTypes = []string{
	"authorization_code", "refresh_token", "client_credentials", "password", "implicit",
	"urn:ietf:params:oauth:grant-type:device_code",
	"urn:ietf:params:oauth:grant-type:token-exchange",
	"urn:ietf:params:oauth:grant-type:jwt-bearer",
	"urn:ietf:params:oauth:grant-type:saml2-bearer",
	"urn:openid:params:grant-type:ciba",
}

// bound returns v when it is one of allowed, else other, counting a
// replaced non-empty value as an overflow of label (contract.Bound, counted).
func (s *state) bound(label, v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	if v != "" {
		s.overflow[label]++
	}
	return contract.Other
}

// provider returns the canonical copy of provider p while fewer than
// MaxProviders are known, else other.
func (s *state) provider(p string) string {
	if p == "" {
		return contract.Other
	}
	if c, ok := s.providers[p]; ok {
		return c
	}
	if len(s.providers) >= s.cfg.MaxProviders {
		s.overflow[contract.LabelProvider]++
		return contract.Other
	}
	c := strings.Clone(p)
	s.providers[c] = c
	return c
}
