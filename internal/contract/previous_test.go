package contract

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestPreviousFingerprintsRoundTrip(t *testing.T) {
	f := NewFingerprinter(testKey)
	a, b := f.Fingerprint("old-1"), f.Fingerprint("old-2")
	attrs := pcommon.NewMap()
	PutPreviousFingerprints(attrs, AttrRefreshToken, []string{a, b})
	PutPreviousFingerprints(attrs, AttrCode, []string{a})
	PutPreviousFingerprints(attrs, AttrState, nil)
	if got := PreviousFingerprints(attrs, AttrRefreshToken); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("refresh token: %v", got)
	}
	if got := PreviousFingerprints(attrs, AttrCode); len(got) != 1 {
		t.Fatalf("code: %v", got)
	}
	if got := PreviousFingerprints(attrs, AttrState); got != nil {
		t.Fatalf("an empty list wrote %v", got)
	}
	if !RemovePreviousFingerprints(attrs) || attrs.Len() != 0 {
		t.Fatal("not removed")
	}
}

func TestPreviousFingerprintsIgnoresWhatIsNotAFingerprint(t *testing.T) {
	attrs := pcommon.NewMap()
	m := attrs.PutEmptyMap(AttrPreviousFingerprints)
	s := m.PutEmptySlice(AttrRefreshToken)
	s.AppendEmpty().SetStr("fp:raw-token-not-a-fingerprint")
	s.AppendEmpty().SetInt(3)
	if got := PreviousFingerprints(attrs, AttrRefreshToken); len(got) != 0 {
		t.Fatalf("took %v", got)
	}
	attrs.PutStr(AttrPreviousFingerprints, "garbage")
	if got := PreviousFingerprints(attrs, AttrRefreshToken); got != nil {
		t.Fatalf("took %v from a string", got)
	}
}
