package oauthsecurity

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// redemptionRules run on token requests and callbacks: a code redeemed
// twice is code_injection, a code_verifier used twice is pkce_replay, a state
// back at a callback is an integrity_violation; a callback's issuer is
// checked for a mix-up, and a redemption is crossed with PKCE failures of
// its trace.
func (d *detector) redemptionRules(o *observation, det []finding) []finding {
	var fp [16]byte
	redeemed := false
	if o.success && d.secretKey(o.r, codeKeys, &fp) {
		redeemed = true
		if d.reuse(o, &fp, kindCode, 0) {
			det = append(det, detectedBy(contract.EventCodeInjection, ruleCodeReuse))
		}
	}
	if o.success && d.secretKey(o.r, verifierKeys, &fp) {
		if d.reuse(o, &fp, kindVerifier, 0) {
			det = append(det, detectedBy(contract.EventPKCEReplay, ruleVerifierReuse))
		}
	}
	if o.op == contract.OpCallback {
		if o.success && d.secretKey(o.r, stateKeys, &fp) {
			if d.reuse(o, &fp, kindState, 0) {
				f := detectedBy(contract.EventIntegrityViolation, ruleStateReuse)
				f.Violation = contract.ViolationType("", o.op)
				det = append(det, f)
			}
		}
		det = d.issuerRule(o, det)
	}
	if redeemed && !o.r.traceID.IsEmpty() {
		det = d.redeemedInTrace(o, det)
	}
	return det
}
