package finding

import (
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
)

// FingerprintAt reports whether the run of token bytes starting at s[i] is
// exactly a fingerprint (contract section 3): "fp:" and 22 base64url
// characters with no token byte after them. A run that merely starts with
// "fp:" ("fp:" + a raw token) is not one, and is scanned like any text.
func FingerprintAt(s string, i int) bool {
	end := i + contract.FingerprintLen
	if i < 0 || end > len(s) || (end < len(s) && ascii.IsTokenByte(s[end])) {
		return false
	}
	return contract.IsFingerprint(s[i:end])
}
