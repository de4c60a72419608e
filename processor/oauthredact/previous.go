package oauthredact

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// previous writes, during a key rotation, the previous-key fingerprints of
// the record's correlated secrets (contract section 3): only this processor
// sees raw values, so only it can compute them. oauth_security consults them
// when the current-key lookup misses and removes them before export. Without
// previous keys this is one length check.
func (sc *scanner) previous(attrs pcommon.Map) {
	if len(sc.prev) == 0 || sc.echoing {
		return
	}
	for _, k := range contract.CorrelatedSecrets {
		v, ok := attrs.Get(k)
		if !ok || v.Type() != pcommon.ValueTypeStr {
			continue
		}
		raw := v.Str()
		if raw == "" || contract.IsFingerprint(raw) || raw == sc.rules.mask {
			continue
		}
		contract.PutPreviousFingerprints(attrs, k, contract.FingerprintsUnder(sc.prev, raw))
	}
}
