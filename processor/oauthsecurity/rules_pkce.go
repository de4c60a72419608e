package oauthsecurity

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// A code redeemed in a trace where pkce.validate failed is code_injection,
// whichever of the two comes first: each leaves a trace entry the other
// looks for.

// pkceRules run on a failed pkce.validate: user_mismatch is code_injection
// by itself; any other failure is one when the trace redeemed a code.
func (d *detector) pkceRules(o *observation, det []finding) []finding {
	if o.status == contract.StatusSuccess {
		return det
	}
	if o.reason == contract.ReasonUserMismatch {
		det = append(det, detectedBy(contract.EventCodeInjection, rulePKCEUserMismatch))
	}
	if o.r.traceID.IsEmpty() {
		return det
	}
	tb := [16]byte(o.r.traceID)
	if _, ok := d.st.get(makeKey(&tb, kindTraceRedeemed, 0), o.nowMs); ok && o.reason != contract.ReasonUserMismatch {
		det = append(det, detectedBy(contract.EventCodeInjection, ruleCodeAfterPKCEFail))
	}
	d.st.put(makeKey(&tb, kindTracePKCEFail, 0), packVal(o.nowMs, 0, kindTracePKCEFail, false))
	return det
}

// redeemedInTrace runs on a traced code redemption.
func (d *detector) redeemedInTrace(o *observation, det []finding) []finding {
	tb := [16]byte(o.r.traceID)
	if _, ok := d.st.get(makeKey(&tb, kindTracePKCEFail, 0), o.nowMs); ok {
		det = append(det, detectedBy(contract.EventCodeInjection, ruleCodeAfterPKCEFail))
	}
	d.st.put(makeKey(&tb, kindTraceRedeemed, 0), packVal(o.nowMs, 0, kindTraceRedeemed, false))
	return det
}
