package oauthspanmetrics

import (
	"slices"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Cardinality: every label value goes through bound or provider, which keep
// the series count bounded and count what they replace by other.

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
