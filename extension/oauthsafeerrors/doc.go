//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthsafeerrors implements the oauth_safe_errors extension: an HTTP
// middleware that scrubs request echoes and token-like strings from error
// responses. Upstream JSON decoders quote the bytes around a syntax error in
// their message, and the OTLP receiver returns that message to the client;
// with OAuth payloads those bytes are often a token.
package oauthsafeerrors // import "github.com/otelcol-oauth/otelcol-oauth/extension/oauthsafeerrors"
