//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthsecurity implements the oauth_security processor: attack
// detection on contract fingerprints (docs/telemetry-contract.md, section 5).
package oauthsecurity // import "github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity"
