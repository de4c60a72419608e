//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthfindings implements the oauth_findings connector: one log
// record per security finding on a span (docs/telemetry-contract.md,
// section 5).
package oauthfindings // import "github.com/otelcol-oauth/otelcol-oauth/connector/oauthfindings"
