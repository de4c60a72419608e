// Package keysource is how a component gets its fingerprint keys (contract
// section 3): from the oauth_fingerprint extension it names, or, for one
// release, from its own deprecated fingerprint_key. It also makes sure that
// every component of one collector ends up with the same keys.
package keysource

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Keys is what a collector fingerprints with: new fingerprints use Current;
// Previous are the keys of earlier rotations, newest first.
type Keys struct {
	Current  string
	Previous []string
}

// Source is implemented by the extension that holds the keys.
type Source interface {
	FingerprintKeys() Keys
}

// ExtensionType is the type name of the key extension, for messages.
const ExtensionType = "oauth_fingerprint"

// Resolve returns self's keys: from the extension ext when it is set, else
// the deprecated per-component key (with a warning naming the extension).
// It never puts a key in an error.
func Resolve(host component.Host, ext *component.ID, deprecated configopaque.String, self component.ID, logger *zap.Logger) (Keys, error) {
	if ext != nil {
		c, ok := host.GetExtensions()[*ext]
		if !ok {
			return Keys{}, fmt.Errorf("%s: fingerprint: extension %q is not configured in service::extensions", self, ext.String())
		}
		src, ok := c.(Source)
		if !ok {
			return Keys{}, fmt.Errorf("%s: fingerprint: extension %q is not an %s extension", self, ext.String(), ExtensionType)
		}
		return src.FingerprintKeys(), nil
	}
	if deprecated == "" {
		return Keys{}, fmt.Errorf("%s: fingerprint: name an %s extension (fingerprint: %s)", self, ExtensionType, ExtensionType)
	}
	logger.Warn("fingerprint_key is deprecated and will be removed in the next release: configure the key once in an " +
		ExtensionType + " extension and reference it with `fingerprint: " + ExtensionType + "` (see docs/upgrading.md)")
	return Keys{Current: string(deprecated)}, nil
}

// claims maps a component to a digest of the current key it started with,
// so that two components with different keys fail at start. A digest, not
// the key, so this table never holds a secret.
var claims = newClaimTable()

// Claim records that self fingerprints with keys. It fails, naming both
// components and neither key, when another running component of this
// process uses a different current key.
func Claim(self component.ID, keys Keys) error {
	return claims.claim(self, sha256.Sum256([]byte(keys.Current)))
}

// Release forgets self's claim, at shutdown.
func Release(self component.ID) { claims.release(self) }

// ErrKeysDiffer is wrapped by Claim's error.
var ErrKeysDiffer = errors.New("components fingerprint with different keys")

// ValidateRef checks a component's key settings at config validation: an
// extension reference, or (deprecated) a key of its own, not both. The
// errors name the fields and never the key.
func ValidateRef(ext *component.ID, deprecated configopaque.String) []error {
	switch {
	case ext != nil && deprecated != "":
		return []error{errors.New("fingerprint_key: remove it: the key comes from the fingerprint extension (fingerprint_key is deprecated)")}
	case ext != nil:
		if ext.Type().String() != ExtensionType {
			return []error{fmt.Errorf("fingerprint: %q is not an %s extension", ext.String(), ExtensionType)}
		}
		return nil
	case deprecated == "":
		return []error{fmt.Errorf("fingerprint: name the %s extension that holds the key (for example `fingerprint: %s`)", ExtensionType, ExtensionType)}
	}
	if err := contract.ValidateKey(string(deprecated)); err != nil {
		return []error{fmt.Errorf("fingerprint_key %w", err)}
	}
	return nil
}
