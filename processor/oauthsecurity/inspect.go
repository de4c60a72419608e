package oauthsecurity

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// observation is what the detection rules read of one OAuth record.
type observation struct {
	r                  *record
	op, status, reason string
	side               uint8
	tag                uint32
	untraced, success  bool
	nowMs              int64
}

// inspect runs every rule on one record and updates the state. It returns
// the detected and the reported findings, and whether the record is a
// refresh whose status must become reuse_detected. The caller holds d.mu.
func (d *detector) inspect(r *record, nowMs int64, det, rep []finding) ([]finding, []finding, bool) {
	if contract.IsFindingRecord(r.attrs) {
		return det, rep, false
	}
	rep = d.reportedFindings(r, rep)
	op := contract.Operation(r.attrs, r.res)
	if op == "" {
		return det, rep, false
	}
	status := contract.Status(r.attrs, r.res, op, r.statusCode)
	o := observation{
		r: r, op: op, status: status, reason: contract.Reason(r.attrs, r.res, op, status),
		side: sideCode(detectionSide(r, op)), tag: useTag(r), untraced: r.traceID.IsEmpty(),
		success: status == contract.StatusSuccess, nowMs: nowMs,
	}
	rewrite := false
	switch {
	case o.isRefresh():
		det, rewrite = d.refreshRules(&o, det)
	case op == contract.OpToken || op == contract.OpCallback:
		det = d.redemptionRules(&o, det)
		if op == contract.OpToken {
			det = d.exchangePKCE(&o, det)
		}
	case op == contract.OpPKCEValidate:
		det = d.pkceRules(&o, det)
	case op == contract.OpDiscovery:
		d.discoveryRule(&o)
	}
	return det, rep, rewrite
}

// exchangePKCE: a PKCE check done at the token endpoint, carried on the
// exchange as oauth.pkce.reason, is a pkce.validate with that reason as well
// (contract section 1): valid is a success, any other reason a failure.
func (d *detector) exchangePKCE(o *observation, det []finding) []finding {
	reason := contract.LookupStr(o.r.attrs, o.r.res, contract.AttrPKCEReason)
	if reason == "" {
		return det
	}
	v := *o
	v.op, v.reason, v.status = contract.OpPKCEValidate, reason, contract.PKCEStatusOf(reason)
	v.success = v.status == contract.StatusSuccess
	return d.pkceRules(&v, det)
}

// isRefresh: a refresh operation, or a token request with the refresh grant.
func (o *observation) isRefresh() bool {
	return o.op == contract.OpRefresh ||
		(o.op == contract.OpToken && contract.LookupStr(o.r.attrs, o.r.res, contract.AttrGrantType) == contract.GrantRefreshToken)
}

// reuse records a successful use of the secret fp of kind k on the
// observation's side, and reports whether it is a reuse (see use).
func (d *detector) reuse(o *observation, fp *[16]byte, k kind, graceMs int64) bool {
	key := makeKey(fp, k, o.side)
	if o.r.hasPrevious {
		d.adoptPrevious(o, key, k)
	}
	return d.use(key, k, o.tag, o.untraced, o.r.timeMs, o.nowMs, graceMs)
}

// untracedSameUseMs: a record without trace context (an app log line) and
// another record of the same secret this close in time are taken as one use:
// the log line of a traced span, or two log lines of one refresh
// (token_refresh_success and token_rotation_complete).
const untracedSameUseMs = 1000

// use records a successful use of a secret and reports whether it is a
// reuse: an earlier use by another request (tag), more than grace apart.
// Record times may be skewed between services, so the distance is absolute.
// The entry's flag marks a use recorded without trace context.
func (d *detector) use(key uint64, k kind, tag uint32, untraced bool, atMs, nowMs, graceMs int64) bool {
	v, ok := d.st.get(key, nowMs)
	if !ok {
		v = packVal(atMs, tag, k, untraced)
		d.st.put(key, v)
	}
	reused := ok && isReuse(v, tag, untraced, atMs, graceMs)
	if d.shared != nil {
		d.noteUse(key, v, k, tag, untraced, atMs, nowMs, graceMs, reused)
	}
	return reused
}

// isReuse applies the rule to a use against the earlier use v.
func isReuse(v uint64, tag uint32, untraced bool, atMs, graceMs int64) bool {
	if valTag(v) == tag && !untraced && !valFlag(v) {
		return false
	}
	dt := atMs - valTime(v)
	if dt < 0 {
		dt = -dt
	}
	if (untraced || valFlag(v)) && dt <= untracedSameUseMs {
		return false
	}
	return graceMs <= 0 || dt > graceMs
}
