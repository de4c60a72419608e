// Package keys decides what a name means to the detectors: an attribute
// key, a URL, form or JSON parameter, a word before ':' in free text, or a
// header name. Its sets are built once from the config and only read
// afterwards.
package keys

// Kind says how the value under a key is treated.
type Kind uint8

const (
	Text      Kind = iota // searched by the free-text detectors
	Allow                 // allow_keys: detectors skip it
	Secret                // the whole value is secret
	Auth                  // Authorization: the credential after the scheme
	Cookie                // Cookie: every cookie value
	SetCookie             // Set-Cookie: the cookie value, not its attributes
	NumKinds
)
