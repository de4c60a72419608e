package contract

import (
	"strings"
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
)

const testKey = testkey.Key

// Vectors computed independently with Python's hmac module.
func TestFingerprintVectors(t *testing.T) {
	f := NewFingerprinter(testKey)
	for secret, want := range map[string]string{
		"rt-abc": "fp:HsE61MWiqwbKMAeg3tg8Iw",
		"":       "fp:eWzTB4rxRjZ1PSaztVVUIg",
		// two SHA-256 blocks of message
		"eyJ" + strings.Repeat("a", 97): "fp:P4oPqdAY5Tk3zs14ZPyxJA",
	} {
		if got := f.Fingerprint(secret); got != want {
			t.Errorf("Fingerprint(%q) = %q, want %q", secret, got, want)
		}
		if len(want) != FingerprintLen {
			t.Errorf("FingerprintLen = %d, want %d", FingerprintLen, len(want))
		}
	}
}

func TestFingerprintIdempotent(t *testing.T) {
	f := NewFingerprinter(testKey)
	fp := f.Fingerprint("some-token")
	if again := f.Fingerprint(fp); again != fp {
		t.Fatalf("fingerprinting a fingerprint changed it: %q -> %q", fp, again)
	}
	if other := NewFingerprinter(strings.Repeat("k", 32)).Fingerprint("some-token"); other == fp {
		t.Fatal("different keys gave the same fingerprint")
	}
}

func TestValidateKey(t *testing.T) {
	if err := ValidateKey(""); err == nil {
		t.Error("empty key accepted")
	}
	short := strings.Repeat("s", 31)
	err := ValidateKey(short)
	if err == nil {
		t.Fatal("31-byte key accepted")
	}
	if strings.Contains(err.Error(), short) {
		t.Error("error message contains the key")
	}
	if err := ValidateKey(testKey); err != nil {
		t.Errorf("32-byte key refused: %v", err)
	}
}

func TestMostSevere(t *testing.T) {
	f, ok := MostSevere([]string{EventMixUp, EventIntegrityViolation, "unknown"})
	if !ok || f.EventType != EventIntegrityViolation || f.Severity != SeverityHigh {
		t.Errorf("got %+v, %v", f, ok)
	}
	f, ok = MostSevere([]string{EventPKCEReplay, EventCodeInjection, EventTokenReuse})
	if !ok || f.EventType != EventTokenReuse || f.Severity != SeverityCritical {
		t.Errorf("got %+v, %v", f, ok)
	}
	if _, ok := MostSevere([]string{"nope"}); ok {
		t.Error("unknown event type reported as found")
	}
}

func TestMetricsTable(t *testing.T) {
	core, ext := 0, 0
	seen := map[string]bool{}
	for _, m := range Metrics {
		if seen[m.Name] {
			t.Errorf("duplicate metric %s", m.Name)
		}
		seen[m.Name] = true
		if m.Extended {
			ext++
		} else {
			core++
		}
		if (m.Kind == Histogram) != (len(m.Buckets) > 0) {
			t.Errorf("%s: buckets only and always on histograms", m.Name)
		}
		if m.Kind == Histogram && !strings.HasSuffix(m.Name, "_seconds") {
			t.Errorf("%s: histogram name must end in _seconds", m.Name)
		}
		if m.Kind == Counter && !strings.HasSuffix(m.Name, "_total") {
			t.Errorf("%s: counter name must end in _total", m.Name)
		}
	}
	if core != 17 || ext != 3 {
		t.Errorf("core=%d extended=%d, want 17 and 3", core, ext)
	}
}

func TestIsFingerprintExactly(t *testing.T) {
	f := NewFingerprinter(testKey)
	for _, s := range []string{"", "x", "rt-abc", strings.Repeat("z", 300)} {
		if fp := f.Fingerprint(s); !IsFingerprint(fp) {
			t.Errorf("a real fingerprint %q is not recognised", fp)
		}
	}
	real := f.Fingerprint("rt-abc")
	for _, v := range []string{
		"fp:",
		"fp:x",
		"fp:short",
		"fp:" + "rt_0123456789abcdefghijklmnop", // "fp:" + a raw token
		real + "x",                              // something after
		" " + real,                              // something before
		"FP:" + real[3:],                        // another prefix
		real[:24] + "B",                         // 16 bytes cannot end in B
		real[:10] + "." + real[11:],             // not base64url
		real[:10] + "=" + real[11:],
	} {
		if IsFingerprint(v) {
			t.Errorf("%q taken for a fingerprint", v)
		}
		if got := f.Fingerprint(v); got == v || !IsFingerprint(got) {
			t.Errorf("%q not fingerprinted whole: %q", v, got)
		}
	}
	if f.Fingerprint(real) != real {
		t.Error("a fingerprint was fingerprinted again")
	}
}
