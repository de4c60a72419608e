//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthspanmetrics implements the oauth_span_metrics connector: the
// contract's OAuth metrics from traces and logs (docs/telemetry-contract.md,
// section 4).
package oauthspanmetrics // import "github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics"
