package oauthredact

import "github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/tokenformat"

// TokenFormat is a well-known token format searched inside every string.
type TokenFormat struct {
	// Name says whose token it is (documentation and tests only).
	Name string
	// Regexp matches the whole token.
	Regexp string
}

// BuiltinTokenFormats returns the provider token formats searched in every
// string value, in addition to the URL, form, JSON, header and cookie
// detectors (a copy: the list the redactor runs cannot be changed). Users
// extend the list with value_patterns. A match must start at a word
// boundary (the byte before it is not a letter, digit, '-' or '_').
func BuiltinTokenFormats() []TokenFormat {
	var out []TokenFormat
	for _, f := range tokenformat.Builtin() {
		out = append(out, TokenFormat{Name: f.Name, Regexp: f.Regexp})
	}
	return out
}
