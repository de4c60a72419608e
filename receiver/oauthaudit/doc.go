//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthaudit implements the oauth_audit receiver: authorization-server
// audit events as OAuth log records (docs/telemetry-contract.md, section 6).
package oauthaudit // import "github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit"
