package hydra

import "strings"

// Secret is a raw value the driver handled (a token, a token signature, a
// code, a state, a PKCE verifier, a client secret). It prints as its kind
// only, so a failing assertion or a log line never shows the value.
type Secret struct {
	Kind  string
	value string
}

// String is the kind: never the value.
func (s Secret) String() string { return s.Kind }

// GoString is the kind too (%#v).
func (s Secret) GoString() string { return "hydra.Secret(" + s.Kind + ")" }

// In reports whether text contains the raw value.
func (s Secret) In(text string) bool { return s.value != "" && strings.Contains(text, s.value) }

// keep records a raw value for Secrets; for one of Hydra's opaque tokens
// (ory_at_ / ory_rt_ / ory_ac_ + key + "." + signature, fosite's HMAC
// strategy in Hydra's prefixed form) the signature after the dot is kept
// as well: Hydra stores and traces a token by that signature.
func (d *Driver) keep(kind, value string) {
	if value == "" {
		return
	}
	d.secrets = append(d.secrets, Secret{Kind: kind, value: value})
	if strings.HasPrefix(value, "ory_") {
		if _, sig, ok := strings.Cut(value, "."); ok && sig != "" {
			d.secrets = append(d.secrets, Secret{Kind: kind + " signature", value: sig})
		}
	}
}

// Secrets is every raw value the driver handled so far.
func (d *Driver) Secrets() []Secret { return append([]Secret(nil), d.secrets...) }
