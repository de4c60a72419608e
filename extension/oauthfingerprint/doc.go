//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml

// Package oauthfingerprint is the oauth_fingerprint extension: the one place
// a collector's fingerprint key (and the keys it rotated away from) is
// configured (contract section 3).
package oauthfingerprint
