//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthnormalize implements the oauth_normalize processor: the
// vocabulary layer of contract v2 section 6. It writes contract attributes
// (oauth.operation, oauth.side, oauth.status, oauth.reported.event_type,
// ...) onto the records that apps and servers emit in their own words, so
// that every later component reads the contract only.
package oauthnormalize // import "github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize"
