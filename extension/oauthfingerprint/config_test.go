package oauthfingerprint

import (
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
)

func load(t *testing.T, id component.ID) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(id.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := createDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestConfigs(t *testing.T) {
	cfg := load(t, component.MustNewID("oauth_fingerprint"))
	if err := cfg.Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	rot := load(t, component.MustNewIDWithName("oauth_fingerprint", "rotating"))
	if err := rot.Validate(); err != nil {
		t.Fatalf("valid rotation refused: %v", err)
	}
	k := newExtension(rot).FingerprintKeys()
	if k.Current != string(rot.Key) || len(k.Previous) != 1 || k.Previous[0] != string(rot.PreviousKeys[0]) {
		t.Fatalf("keys not served as configured: %d previous", len(k.Previous))
	}
}

func TestValidateNamesEveryField(t *testing.T) {
	cfg := load(t, component.MustNewIDWithName("oauth_fingerprint", "short"))
	err := cfg.Validate()
	if err == nil {
		t.Fatal("short keys accepted")
	}
	msg := err.Error()
	for _, want := range []string{"key is 9 bytes long", "previous_keys[0]: is 10 bytes long", "previous_keys[1]: must not be empty"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	for _, secret := range []string{"too-short", "also-short"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error quotes a key: %q", msg)
		}
	}
	if err := (&Config{}).Validate(); err == nil || !strings.Contains(err.Error(), "key is missing") {
		t.Fatalf("a missing key is not named: %v", err)
	}
}

func TestValidateRefusesRepeatedKeys(t *testing.T) {
	const a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	const b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	cfg := &Config{Key: a, PreviousKeys: []configopaque.String{a, b, b}}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "previous_keys[0]: equals key") || !strings.Contains(err.Error(), "previous_keys[2]: repeats previous_keys[1]") {
		t.Fatalf("repeated keys not named: %v", err)
	}
}

func TestServedKeysAreACopy(t *testing.T) {
	e := newExtension(&Config{Key: "k", PreviousKeys: []configopaque.String{"p"}})
	var _ keysource.Source = e
	k := e.FingerprintKeys()
	k.Previous[0] = "changed"
	if e.FingerprintKeys().Previous[0] != "p" {
		t.Fatal("a caller changed the extension's keys")
	}
}
