package oauthsecurity

import (
	"encoding/base64"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// kindAttrs: the contract attribute whose previous-key fingerprints a kind
// of entry is looked up under (contract.CorrelatedSecrets).
var kindAttrs = [numKinds]string{
	kindRefresh:  contract.AttrRefreshToken,
	kindCode:     contract.AttrCode,
	kindState:    contract.AttrState,
	kindVerifier: contract.AttrCodeVerifier,
}

// adoptPrevious runs before a use is recorded under key. During a key
// rotation the record may carry the secret's fingerprints under previous
// keys (written by oauth_redact, contract section 3): when nothing is stored
// under the current key but an entry is stored under a previous one, that
// entry is recorded again under the current key, so the use that follows is
// judged against the secret's whole history. The previous entry is left to
// expire. Only called for a record that carries previous fingerprints.
func (d *detector) adoptPrevious(o *observation, key uint64, k kind) {
	attr := kindAttrs[k]
	if attr == "" {
		return
	}
	if _, ok := d.st.get(key, o.nowMs); ok {
		return
	}
	for _, prev := range contract.PreviousFingerprintsOf(o.r.previous, attr) {
		var b [16]byte
		n, err := base64.RawURLEncoding.Decode(b[:], []byte(prev[len(contract.FingerprintPrefix):]))
		if err != nil || n != len(b) {
			continue
		}
		if v, ok := d.st.get(makeKey(&b, k, o.side), o.nowMs); ok {
			d.st.put(key, v)
			d.dirty = true
			return
		}
	}
}
