//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthredact implements the oauth_redact processor: it replaces OAuth
// secrets with contract fingerprints (docs/telemetry-contract.md, section 3).
package oauthredact // import "github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
