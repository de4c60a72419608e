package keysource

import (
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

const (
	keyA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	keyB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

type src struct{ component.Component }

func (src) FingerprintKeys() Keys { return Keys{Current: keyA, Previous: []string{keyB}} }

type hostWith map[component.ID]component.Component

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h }

func TestResolveFromExtension(t *testing.T) {
	id := component.MustNewID(ExtensionType)
	self := component.MustNewID("oauth_redact")
	k, err := Resolve(hostWith{id: src{}}, &id, "", self, zap.NewNop())
	if err != nil || k.Current != keyA || len(k.Previous) != 1 || k.Previous[0] != keyB {
		t.Fatalf("got %v, %v", k.Previous, err)
	}
}

func TestResolveErrorsNameTheExtension(t *testing.T) {
	id := component.MustNewIDWithName(ExtensionType, "missing")
	self := component.MustNewID("oauth_security")
	_, err := Resolve(componenttest.NewNopHost(), &id, "", self, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "oauth_fingerprint/missing") || !strings.Contains(err.Error(), "oauth_security") {
		t.Fatalf("error %v does not name the extension and the component", err)
	}
	other := component.MustNewID("health_check")
	_, err = Resolve(hostWith{other: struct{ component.Component }{}}, &other, "", self, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "not an oauth_fingerprint extension") {
		t.Fatalf("a non-key extension was accepted: %v", err)
	}
	if _, err = Resolve(componenttest.NewNopHost(), nil, "", self, zap.NewNop()); err == nil {
		t.Fatal("no key and no extension was accepted")
	}
}

func TestResolveDeprecatedKeyWarns(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	k, err := Resolve(componenttest.NewNopHost(), nil, keyA, component.MustNewID("oauth_redact"), zap.New(core))
	if err != nil || k.Current != keyA || len(k.Previous) != 0 {
		t.Fatalf("deprecated key not used: %v", err)
	}
	if logs.Len() != 1 || !strings.Contains(logs.All()[0].Message, "oauth_fingerprint") {
		t.Fatalf("no deprecation warning naming the extension: %v", logs.All())
	}
	if strings.Contains(logs.All()[0].Message, keyA) {
		t.Fatal("the warning printed the key")
	}
}

func TestClaimRefusesDifferentKeys(t *testing.T) {
	redact := component.MustNewID("oauth_redact")
	security := component.MustNewID("oauth_security")
	if err := Claim(redact, Keys{Current: keyA}); err != nil {
		t.Fatal(err)
	}
	defer Release(redact)
	err := Claim(security, Keys{Current: keyB})
	if !errors.Is(err, ErrKeysDiffer) || !strings.Contains(err.Error(), "oauth_redact") || !strings.Contains(err.Error(), "oauth_security") {
		t.Fatalf("different keys not refused with both names: %v", err)
	}
	if strings.Contains(err.Error(), keyA) || strings.Contains(err.Error(), keyB) {
		t.Fatal("the error printed a key")
	}
	if err := Claim(security, Keys{Current: keyA}); err != nil {
		t.Fatalf("the same key was refused: %v", err)
	}
	Release(security)
	// A component in two pipelines claims twice and releases twice.
	if err := Claim(redact, Keys{Current: keyA}); err != nil {
		t.Fatal(err)
	}
	Release(redact)
	if err := Claim(security, Keys{Current: keyB}); err == nil {
		t.Fatal("one release of two forgot the claim")
	}
}
