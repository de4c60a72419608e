package oauthsecurity

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// refreshRules: token_reuse when a rotated refresh token is presented again
// outside the grace period, ownership_violation when the app says the
// refresh failed its ownership check. It also reports whether the record's
// status must become reuse_detected.
func (d *detector) refreshRules(o *observation, det []finding) ([]finding, bool) {
	if o.reason == contract.ReasonOwnershipFailed {
		det = append(det, detectedBy(contract.EventOwnershipViolation, ruleOwnershipFailed))
	}
	// Only a plain successful refresh is a use: concurrent_success is the
	// app saying it resolved a concurrent refresh itself.
	var fp [16]byte
	if o.success && (o.reason == contract.ReasonNormal || o.reason == "") && d.secretKey(o.r, refreshKeys, &fp) {
		if d.reuse(o, &fp, kindRefresh, d.graceMs) {
			return append(det, detectedBy(contract.EventTokenReuse, ruleRefreshReuse)), true
		}
	}
	return det, false
}
