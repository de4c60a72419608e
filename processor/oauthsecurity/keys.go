package oauthsecurity

import (
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
)

// useKeys reads the keys from the key source at start (the oauth_fingerprint
// extension, or the deprecated fingerprint_key) and claims them, so that a
// collector whose components disagree on the key refuses to start.
func (d *detector) useKeys(host component.Host) error {
	keys, err := keysource.Resolve(host, d.cfg.Fingerprint, d.cfg.FingerprintKey, d.id, d.logger)
	if err != nil {
		return err
	}
	if err := keysource.Claim(d.id, keys); err != nil {
		return err
	}
	d.claimed = true
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fp = contract.NewFingerprinter(keys.Current)
	d.prev = d.prev[:0]
	for _, k := range keys.Previous {
		d.prev = append(d.prev, contract.NewFingerprinter(k))
	}
	return nil
}

func (d *detector) releaseKeys() {
	if d.claimed {
		keysource.Release(d.id)
		d.claimed = false
	}
}
