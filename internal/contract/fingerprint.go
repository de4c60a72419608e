package contract

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// FingerprintPrefix starts every fingerprint. A value that already has it is
// never fingerprinted again, so redaction is idempotent across tiers.
const FingerprintPrefix = "fp:"

// MinKeyBytes is the shortest fingerprint key accepted.
const MinKeyBytes = 32

// fingerprintBytes is how much of the HMAC-SHA256 a fingerprint keeps.
const fingerprintBytes = 16

// Fingerprinter computes contract fingerprints (section 3). It is not safe for
// concurrent use: give each goroutine its own (NewFingerprinter is cheap).
type Fingerprinter struct {
	mac hash.Hash
	sum []byte
	out []byte
	in  []byte // the secret, copied: hash.Hash takes bytes, and a conversion would allocate
}

// ValidateKey reports why a key cannot be used. It never includes the key.
func ValidateKey(key string) error {
	if key == "" {
		return errors.New("is missing: set it to a random string of at least 32 bytes (for example from ${env:OAUTH_FINGERPRINT_KEY})")
	}
	if len(key) < MinKeyBytes {
		return fmt.Errorf("is %d bytes long, at least %d are required", len(key), MinKeyBytes)
	}
	return nil
}

// NewFingerprinter returns a fingerprinter for key (the UTF-8 bytes of the
// configured string).
func NewFingerprinter(key string) *Fingerprinter {
	return &Fingerprinter{
		mac: hmac.New(sha256.New, []byte(key)),
		sum: make([]byte, 0, sha256.Size),
		out: make([]byte, 0, len(FingerprintPrefix)+base64.RawURLEncoding.EncodedLen(fingerprintBytes)),
	}
}

// Fingerprint returns "fp:" + base64url(HMAC-SHA256(key, secret)[:16]).
// A value that already is a fingerprint is returned unchanged.
func (f *Fingerprinter) Fingerprint(secret string) string {
	if IsFingerprint(secret) {
		return secret
	}
	return string(f.AppendFingerprint(f.out[:0], secret))
}

// AppendFingerprint appends the fingerprint of secret to dst.
func (f *Fingerprinter) AppendFingerprint(dst []byte, secret string) []byte {
	f.in = append(f.in[:0], secret...)
	_, _ = f.mac.Write(f.in)
	clear(f.in)
	f.sum = f.mac.Sum(f.sum[:0])
	// Reset after, not before: until then the hash holds the message's last
	// partial block, a whole short secret.
	f.mac.Reset()
	dst = append(dst, FingerprintPrefix...)
	return base64.RawURLEncoding.AppendEncode(dst, f.sum[:fingerprintBytes])
}

// IsFingerprint reports whether v is exactly a fingerprint: "fp:" and 22
// base64url characters, nothing before or after (contract section 3). Any
// other value that starts with "fp:" is an ordinary value and is
// fingerprinted when secret: trusting the prefix alone let "fp:" + a raw
// token through. The last character must also be one the encoding of 16
// bytes can end in (its low four bits are zero), so a value shaped by hand
// is caught 15 times in 16 as well.
func IsFingerprint(v string) bool {
	if len(v) != FingerprintLen || !strings.HasPrefix(v, FingerprintPrefix) {
		return false
	}
	for i := len(FingerprintPrefix); i < len(v); i++ {
		if !isBase64URL(v[i]) {
			return false
		}
	}
	switch v[len(v)-1] {
	case 'A', 'Q', 'g', 'w':
		return true
	}
	return false
}

func isBase64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// FingerprintLen is the length of every fingerprint string.
var FingerprintLen = len(FingerprintPrefix) + base64.RawURLEncoding.EncodedLen(fingerprintBytes)
