// Package testkey holds the one fingerprint key of the unit tests.
package testkey

// Key is a 32-byte fingerprint key for tests. It is not secret: no deployment
// may use it.
const Key = "0123456789abcdef0123456789abcdef"
