package oauthgen

import (
	"crypto/sha256"
	"encoding/binary"
)

// Marker is contained in every raw secret the generator emits, in every
// format (opaque, provider-prefixed, JWT parts, cookie values). A sink that
// finds it in exported bytes has found (part of) a raw secret: the leak scan
// needs no list of secrets. Fingerprints are base64url of an HMAC, so the
// chance that one contains these 6 characters by accident is about 1e-9.
const Marker = "Qz7TbX"

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// secretSource derives raw secrets deterministically from the seed and a
// label: the same (seed, label) always gives the same secret.
type secretSource struct {
	salt [8]byte
}

func newSecretSource(seed uint64) secretSource {
	var s secretSource
	binary.LittleEndian.PutUint64(s.salt[:], seed^0x7e57bed5ec2e7)
	return s
}

// body returns n alphanumeric characters derived from label.
func (s secretSource) body(label string, n int) string {
	out := make([]byte, 0, n)
	var ctr byte
	for len(out) < n {
		h := sha256.New()
		h.Write(s.salt[:])
		h.Write([]byte{ctr})
		h.Write([]byte(label))
		for _, b := range h.Sum(nil) {
			if len(out) == n {
				break
			}
			out = append(out, alnum[int(b)%len(alnum)])
		}
		ctr++
	}
	return string(out)
}

// Secret kinds, each with its provider-specific formats.
const (
	KindRefresh      = "refresh_token"
	KindAccess       = "access_token"
	KindCode         = "code"
	KindState        = "state"
	KindVerifier     = "code_verifier"
	KindIDToken      = "id_token"
	KindClientSecret = "client_secret"
	KindAssertion    = "client_assertion"
	KindCookie       = "session_cookie"
	KindDPoPJTI      = "dpop_jti"
	KindPAT          = "personal_access_token"
)

// jwt builds a JWS compact token whose payload and signature carry the marker.
func (s secretSource) jwt(label string) string {
	return "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + Marker + s.body(label+"/p", 40) + "." + Marker + s.body(label+"/s", 38)
}

// raw returns the raw secret of a kind for a provider, derived from label.
func (s secretSource) raw(kind, provider, label string) string {
	l := kind + "/" + provider + "/" + label
	switch kind {
	case KindRefresh:
		switch provider {
		case "github":
			return "ghr_" + Marker + s.body(l, 34)
		case "google":
			return "1//0" + Marker + s.body(l, 40)
		}
		return "rt_" + Marker + s.body(l, 32)
	case KindAccess:
		switch provider {
		case "github":
			return "gho_" + Marker + s.body(l, 34)
		case "google":
			return "ya29." + Marker + s.body(l, 60)
		}
		return s.jwt(l)
	case KindIDToken, KindAssertion:
		return s.jwt(l)
	case KindCode:
		return Marker + s.body(l, 26)
	case KindState:
		return "st_" + Marker + s.body(l, 22)
	case KindVerifier:
		return Marker + s.body(l, 43-len(Marker))
	case KindClientSecret:
		return "cs_" + Marker + s.body(l, 30)
	case KindPAT:
		return "ghp_" + Marker + s.body(l, 34)
	}
	return Marker + s.body(l, 24)
}
