package oauthsecurity

import (
	"encoding/base64"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// bare drops the "oauth." of a contract attribute: refresh_token and
// code_verifier are secret with or without it (contract section 2).
func bare(attr string) string { return strings.TrimPrefix(attr, "oauth.") }

// The attributes each rule reads a secret from, in order of preference.
var (
	refreshKeys  = []string{contract.AttrRefreshToken, bare(contract.AttrRefreshToken)}
	codeKeys     = []string{contract.AttrCode}
	stateKeys    = []string{contract.AttrState}
	verifierKeys = []string{contract.AttrCodeVerifier, bare(contract.AttrCodeVerifier)}
)

// masked reports whether a value is a placeholder left by a masking tool:
// it is never correlated (contract section 3).
func masked(v string) bool {
	if v == "" {
		return true
	}
	onlyMask := true
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '*', 'x', 'X', '#', '.', '-', '_', ' ':
		default:
			onlyMask = false
		}
		if !onlyMask {
			break
		}
	}
	if onlyMask || strings.HasPrefix(v, "•") {
		return true
	}
	l := strings.ToLower(v)
	for _, w := range []string{"redact", "masked", "hidden", "removed", "filtered", "obfuscated"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// secretKey reads a secret attribute as the 16 fingerprint bytes: the
// record's exact keys, then the resource's, then the record's keys compared
// case-insensitively (contract section 2). A raw value is fingerprinted with
// the processor's key first and replaced in the record by its fingerprint; a
// masked or malformed value gives ok=false.
func (d *detector) secretKey(r *record, keys []string, out *[16]byte) bool {
	for _, m := range []pcommon.Map{r.attrs, r.res} {
		for _, k := range keys {
			if v, ok := m.Get(k); ok {
				return d.decodeWithPrevious(r, keys[0], v, out)
			}
		}
	}
	var found pcommon.Value
	ok := false
	r.attrs.Range(func(k string, v pcommon.Value) bool {
		for _, want := range keys {
			if len(k) == len(want) && strings.EqualFold(k, want) {
				found, ok = v, true
				return false
			}
		}
		return true
	})
	return ok && d.decodeWithPrevious(r, keys[0], found, out)
}

// decodeWithPrevious is decodeSecret, plus the previous-key fingerprints of
// a raw value during a rotation. They are added after the value is
// rewritten: adding an attribute may move the map's storage, and v must not
// be written through after that.
func (d *detector) decodeWithPrevious(r *record, attr string, v pcommon.Value, out *[16]byte) bool {
	if len(d.prev) == 0 || v.Type() != pcommon.ValueTypeStr {
		return d.decodeSecret(v, out)
	}
	raw := v.Str()
	ok := d.decodeSecret(v, out)
	d.previousOfRaw(r, attr, raw)
	return ok
}

// previousOfRaw: a raw secret that reaches the processor during a key
// rotation gets its previous-key fingerprints here, as oauth_redact would
// have given them, so that its history under a previous key still counts.
func (d *detector) previousOfRaw(r *record, attr, raw string) {
	if contract.IsFingerprint(raw) || masked(raw) {
		return
	}
	contract.PutPreviousFingerprints(r.attrs, attr, contract.FingerprintsUnder(d.prev, raw))
	r.previous, r.hasPrevious = r.attrs.Get(contract.AttrPreviousFingerprints)
}

func (d *detector) decodeSecret(v pcommon.Value, out *[16]byte) bool {
	if v.Type() != pcommon.ValueTypeStr {
		return false
	}
	s := v.Str()
	if !contract.IsFingerprint(s) {
		if masked(s) {
			return false
		}
		s = d.fp.Fingerprint(s)
		v.SetStr(s)
	}
	if len(s) != contract.FingerprintLen {
		return false
	}
	n, err := base64.RawURLEncoding.Decode(out[:], []byte(s[len(contract.FingerprintPrefix):]))
	return err == nil && n == 16
}
