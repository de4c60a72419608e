package contract

import "go.opentelemetry.io/collector/pdata/pcommon"

// AttrPreviousFingerprints carries, during a key rotation, the fingerprints
// of a record's correlated secrets under the previous keys (contract section
// 3): a map from the secret's attribute key (oauth.refresh_token, ...) to a
// slice of fingerprints, one per previous key. The redactor writes it,
// detection reads it only when the current-key lookup misses and removes it
// before the record goes on: no backend receives it.
const AttrPreviousFingerprints = "oauth.fingerprint.previous"

// CorrelatedSecrets are the secret attributes detection correlates, whose
// previous-key fingerprints travel during a rotation.
var CorrelatedSecrets = []string{AttrRefreshToken, AttrCode, AttrState, AttrCodeVerifier, AttrDPoPJTI}

// IsCorrelatedSecret reports whether key (exactly, as detection reads it)
// is one of CorrelatedSecrets.
func IsCorrelatedSecret(key string) bool {
	switch key {
	case AttrRefreshToken, AttrCode, AttrState, AttrCodeVerifier, AttrDPoPJTI:
		return true
	}
	return false
}

// PutPreviousFingerprints records fps (one per previous key) for the secret
// attribute key of attrs, replacing what was there for that key.
func PutPreviousFingerprints(attrs pcommon.Map, key string, fps []string) {
	if len(fps) == 0 {
		return
	}
	var m pcommon.Map
	if v, ok := attrs.Get(AttrPreviousFingerprints); ok && v.Type() == pcommon.ValueTypeMap {
		m = v.Map()
	} else {
		m = attrs.PutEmptyMap(AttrPreviousFingerprints)
	}
	s := m.PutEmptySlice(key)
	s.EnsureCapacity(len(fps))
	for _, fp := range fps {
		s.AppendEmpty().SetStr(fp)
	}
}

// PreviousFingerprints returns the previous-key fingerprints of the secret
// attribute key, as the record carries them; only values that are exactly
// fingerprints are returned.
func PreviousFingerprints(attrs pcommon.Map, key string) []string {
	v, ok := attrs.Get(AttrPreviousFingerprints)
	if !ok {
		return nil
	}
	return PreviousFingerprintsOf(v, key)
}

// PreviousFingerprintsOf is PreviousFingerprints on the attribute's value,
// for a reader that got it already.
func PreviousFingerprintsOf(v pcommon.Value, key string) []string {
	if v.Type() != pcommon.ValueTypeMap {
		return nil
	}
	sv, ok := v.Map().Get(key)
	if !ok || sv.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	s := sv.Slice()
	out := make([]string, 0, s.Len())
	for i := range s.Len() {
		if e := s.At(i); e.Type() == pcommon.ValueTypeStr && IsFingerprint(e.Str()) {
			out = append(out, e.Str())
		}
	}
	return out
}

// RemovePreviousFingerprints drops the attribute; it reports whether there
// was one.
func RemovePreviousFingerprints(attrs pcommon.Map) bool {
	return attrs.Remove(AttrPreviousFingerprints)
}

// FingerprintsUnder returns secret's fingerprint under each of fs (the
// previous keys, in order): what PutPreviousFingerprints carries.
func FingerprintsUnder(fs []*Fingerprinter, secret string) []string {
	fps := make([]string, len(fs))
	for i, f := range fs {
		fps[i] = f.Fingerprint(secret)
	}
	return fps
}
