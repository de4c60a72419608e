package oauthsecurity

import (
	"encoding/base64"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Rule names written to security_rule.name: which detector fired.
const (
	ruleRefreshReuse       = "refresh_token_reuse"
	ruleCodeReuse          = "authorization_code_reuse"
	ruleCodeAfterPKCEFail  = "code_redeemed_after_pkce_failure"
	rulePKCEUserMismatch   = "pkce_user_mismatch"
	ruleStateReuse         = "state_reuse"
	ruleOwnershipFailed    = "refresh_ownership_failed"
	ruleVerifierReuse      = "code_verifier_reuse"
	ruleIssuerMismatch     = "issuer_mismatch"
	ruleReportedStatus     = "reported_status_reuse_detected"
	ruleReportedRevoke     = "reported_revoke_reuse_detected"
	ruleReportedAudit      = "reported_audit_family_revoked"
	ruleReportedIntegrity  = "reported_integrity_violation"
	ruleReportedSecurityEv = "reported_security_event"
)

// Attribute keys of app vocabularies (contract section 6) as the agent's
// file_log leaves them: Pino's type/action, or a flat event field.
const (
	attrPinoType   = "type"
	attrPinoAction = "action"
	attrPinoEvent  = "event"
	pinoSecurity   = "SECURITY_EVENT"
	bareRefreshKey = "refresh_token"
	bareVerifier   = "code_verifier"

	grantRefreshToken      = "refresh_token"
	grantAuthorizationCode = "authorization_code"
	// AuthPlane audit records as the oauth_audit receiver writes them.
	auditFamilyRevoked      = "family.revoked"
	attrAuditDetail         = "oauth.audit.detail"
	attrAuditDetailPrefix   = "oauth.audit.detail."
	auditFlagReuseDetection = "reuse_detection"
)

// reportedEvents maps app security event names onto findings.
var reportedEvents = map[string]string{
	"oauth_refresh_token_reuse_detected":  contract.EventTokenReuse,
	"oauth_code_injection_attempt":        contract.EventCodeInjection,
	"pkce_state_user_mismatch":            contract.EventCodeInjection,
	"pkce_state_integrity_violation":      contract.EventIntegrityViolation,
	"oauth_integrity_verification_failed": contract.EventIntegrityViolation,
	"oauth_integrity_violation":           contract.EventIntegrityViolation,
	"oauth_ownership_violation":           contract.EventOwnershipViolation,
	"pkce_replay_detected":                contract.EventPKCEReplay,
	"oauth_mix_up_detected":               contract.EventMixUp,
}

// finding is one detected or reported finding on a record.
type finding struct {
	eventType string
	rank      int
	source    string
	rule      string
	// violation is written to oauth.integrity.violation when the record has
	// none, so integrity findings carry their type downstream.
	violation string
}

func newFinding(eventType, source, rule string) finding {
	f, _ := contract.LookupFinding(eventType)
	return finding{eventType: eventType, rank: f.Rank, source: source, rule: rule}
}

// record is the view of one span or log record the rules work on.
type record struct {
	attrs, res pcommon.Map
	spanKind   ptrace.SpanKind
	statusCode ptrace.StatusCode
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	timeMs     int64
}

// sideCode packs a side into the key.
func sideCode(side string) uint8 {
	switch side {
	case contract.SideClient:
		return 1
	case contract.SideServer:
		return 2
	}
	return 3
}

// detectionSide is contract.Side, except that a callback or discovery
// without oauth.side is the client's: the redirect URI's handler is a SERVER
// span of the OAuth client, and must not share the authorization server's
// world (its token endpoint is a SERVER span too).
func detectionSide(r *record, op string) string {
	if op == contract.OpCallback || op == contract.OpDiscovery {
		if contract.LookupStr(r.attrs, r.res, contract.AttrSide) == "" {
			return contract.SideClient
		}
	}
	return contract.Side(r.attrs, r.res, r.spanKind)
}

// useTag identifies one use: the trace (two records of one request are the
// same use: a span and its log, a callback and its token exchange, a
// redelivered batch), else the record's time.
func useTag(r *record) uint32 {
	if !r.traceID.IsEmpty() {
		return uint32(mix64(leUint64(r.traceID[0:8])^leUint64(r.traceID[8:16])*31)) & tagMask
	}
	return uint32(mix64(uint64(r.timeMs))) & tagMask
}

func leUint64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// masked reports whether a value is a placeholder left by a masking tool:
// it is never correlated (contract section 3).
func masked(v string) bool {
	if v == "" {
		return true
	}
	onlyMask := true
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '*', 'x', 'X', '#', '.', '-', '_', ' ':
		default:
			onlyMask = false
		}
		if !onlyMask {
			break
		}
	}
	if onlyMask || strings.HasPrefix(v, "•") {
		return true
	}
	l := strings.ToLower(v)
	for _, w := range []string{"redact", "masked", "hidden", "removed", "filtered", "obfuscated"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// secretKey reads a secret attribute as the 16 fingerprint bytes: the
// record's exact keys, then the resource's, then the record's keys compared
// case-insensitively (contract section 2). A raw value is fingerprinted with
// the processor's key first and replaced in the record by its fingerprint; a
// masked or malformed value gives ok=false.
func (d *detector) secretKey(r *record, keys []string, out *[16]byte) bool {
	for _, m := range []pcommon.Map{r.attrs, r.res} {
		for _, k := range keys {
			if v, ok := m.Get(k); ok {
				return d.decodeSecret(v, out)
			}
		}
	}
	var found pcommon.Value
	ok := false
	r.attrs.Range(func(k string, v pcommon.Value) bool {
		for _, want := range keys {
			if len(k) == len(want) && strings.EqualFold(k, want) {
				found, ok = v, true
				return false
			}
		}
		return true
	})
	return ok && d.decodeSecret(found, out)
}

func (d *detector) decodeSecret(v pcommon.Value, out *[16]byte) bool {
	if v.Type() != pcommon.ValueTypeStr {
		return false
	}
	s := v.Str()
	if !contract.IsFingerprint(s) {
		if masked(s) {
			return false
		}
		s = d.fp.Fingerprint(s)
		v.SetStr(s)
	}
	if len(s) != contract.FingerprintLen {
		return false
	}
	n, err := base64.RawURLEncoding.Decode(out[:], []byte(s[len(contract.FingerprintPrefix):]))
	return err == nil && n == 16
}

var (
	refreshKeys  = []string{contract.AttrRefreshToken, bareRefreshKey}
	codeKeys     = []string{contract.AttrCode}
	stateKeys    = []string{contract.AttrState}
	verifierKeys = []string{contract.AttrCodeVerifier, bareVerifier}
)

// inspect runs every rule on one record and updates the state. It returns
// the detected and the reported findings, and whether the record is a
// refresh whose status must become reuse_detected. The caller holds d.mu.
func (d *detector) inspect(r *record, nowMs int64, det, rep []finding) ([]finding, []finding, bool) {
	if contract.IsFindingRecord(r.attrs) {
		return det, rep, false
	}
	rep = d.reported(r, rep)
	op := contract.Operation(r.attrs, r.res)
	if op == "" {
		return det, rep, false
	}
	status := contract.Status(r.attrs, r.res, op, r.statusCode)
	reason := contract.Reason(r.attrs, r.res, op, status)
	side := sideCode(detectionSide(r, op))
	tag, untraced := useTag(r), r.traceID.IsEmpty()
	success := status == contract.StatusSuccess
	var fp [16]byte
	rewrite := false

	isRefresh := op == contract.OpRefresh ||
		(op == contract.OpToken && contract.LookupStr(r.attrs, r.res, contract.AttrGrantType) == grantRefreshToken)

	switch {
	case isRefresh:
		if reason == contract.ReasonOwnershipFailed {
			det = append(det, newFinding(contract.EventOwnershipViolation, contract.SourceDetected, ruleOwnershipFailed))
		}
		// Only a plain successful refresh is a use: concurrent_success is the
		// app saying it resolved a concurrent refresh itself.
		if success && (reason == contract.ReasonNormal || reason == "") && d.secretKey(r, refreshKeys, &fp) {
			if d.use(makeKey(&fp, kindRefresh, side), kindRefresh, tag, untraced, r.timeMs, nowMs, d.graceMs) {
				det = append(det, newFinding(contract.EventTokenReuse, contract.SourceDetected, ruleRefreshReuse))
				rewrite = true
			}
		}
	case op == contract.OpToken || op == contract.OpCallback:
		redeemed := false
		if success && d.secretKey(r, codeKeys, &fp) {
			redeemed = true
			if d.use(makeKey(&fp, kindCode, side), kindCode, tag, untraced, r.timeMs, nowMs, 0) {
				det = append(det, newFinding(contract.EventCodeInjection, contract.SourceDetected, ruleCodeReuse))
			}
		}
		if success && d.secretKey(r, verifierKeys, &fp) {
			if d.use(makeKey(&fp, kindVerifier, side), kindVerifier, tag, untraced, r.timeMs, nowMs, 0) {
				det = append(det, newFinding(contract.EventPKCEReplay, contract.SourceDetected, ruleVerifierReuse))
			}
		}
		if op == contract.OpCallback {
			if success && d.secretKey(r, stateKeys, &fp) {
				if d.use(makeKey(&fp, kindState, side), kindState, tag, untraced, r.timeMs, nowMs, 0) {
					f := newFinding(contract.EventIntegrityViolation, contract.SourceDetected, ruleStateReuse)
					f.violation = contract.ViolationStateReuse
					det = append(det, f)
				}
			}
			// Without a provider there is no "issuer of that provider" to
			// compare with: two unlabelled providers are not a mix-up.
			iss := contract.LookupStr(r.attrs, r.res, contract.AttrIss)
			if prov := contract.LookupStr(r.attrs, r.res, contract.AttrProvider); iss != "" && prov != "" {
				if want, ok := d.issuerFor(side, prov); ok && want != iss {
					det = append(det, newFinding(contract.EventMixUp, contract.SourceDetected, ruleIssuerMismatch))
				}
			}
		}
		if redeemed && !r.traceID.IsEmpty() {
			tb := [16]byte(r.traceID)
			if _, ok := d.st.get(makeKey(&tb, kindTracePKCEFail, 0), nowMs); ok {
				det = append(det, newFinding(contract.EventCodeInjection, contract.SourceDetected, ruleCodeAfterPKCEFail))
			}
			d.st.put(makeKey(&tb, kindTraceRedeemed, 0), packVal(nowMs, 0, kindTraceRedeemed, false))
		}
	case op == contract.OpPKCEValidate:
		if status == contract.StatusSuccess {
			break
		}
		if reason == contract.ReasonUserMismatch {
			det = append(det, newFinding(contract.EventCodeInjection, contract.SourceDetected, rulePKCEUserMismatch))
		}
		if !r.traceID.IsEmpty() {
			tb := [16]byte(r.traceID)
			if _, ok := d.st.get(makeKey(&tb, kindTraceRedeemed, 0), nowMs); ok && reason != contract.ReasonUserMismatch {
				det = append(det, newFinding(contract.EventCodeInjection, contract.SourceDetected, ruleCodeAfterPKCEFail))
			}
			d.st.put(makeKey(&tb, kindTracePKCEFail, 0), packVal(nowMs, 0, kindTracePKCEFail, false))
		}
	case op == contract.OpDiscovery:
		if success {
			iss := contract.LookupStr(r.attrs, r.res, contract.AttrIss)
			if prov := contract.LookupStr(r.attrs, r.res, contract.AttrProvider); iss != "" && prov != "" {
				d.learnIssuer(issuerKey{side, prov}, iss)
			}
		}
	}
	return det, rep, rewrite
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
	if v, ok := d.st.get(key, nowMs); ok {
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
	d.st.put(key, packVal(atMs, tag, k, untraced))
	return false
}

// reported normalises app-reported security events (contract section 6).
func (d *detector) reported(r *record, rep []finding) []finding {
	get := func(k string) string { return contract.LookupStr(r.attrs, r.res, k) }
	if v, ok := r.attrs.Get(contract.AttrStatus); ok && v.Str() == contract.StatusReuseDetected {
		rep = append(rep, newFinding(contract.EventTokenReuse, contract.SourceReported, ruleReportedStatus))
	}
	if v, ok := r.attrs.Get(contract.AttrIntegrityViolation); ok {
		switch v.AsString() {
		case contract.ViolationHashMismatch, contract.ReasonInvalidHash, contract.ViolationUserMismatch, contract.ViolationStateReuse:
			rep = append(rep, newFinding(contract.EventIntegrityViolation, contract.SourceReported, ruleReportedIntegrity))
		}
	}
	if action, ok := r.attrs.Get(contract.AttrAuditAction); ok && action.Str() == auditFamilyRevoked {
		_, flag := r.attrs.Get(attrAuditDetailPrefix + auditFlagReuseDetection)
		if flag || get(contract.AttrReason) == contract.ReasonReuseDetected ||
			strings.Contains(get(attrAuditDetail), auditFlagReuseDetection) {
			rep = append(rep, newFinding(contract.EventTokenReuse, contract.SourceReported, ruleReportedAudit))
		}
	} else if get(contract.AttrOperation) == contract.OpRevoke && get(contract.AttrReason) == contract.ReasonReuseDetected {
		rep = append(rep, newFinding(contract.EventTokenReuse, contract.SourceReported, ruleReportedRevoke))
	}
	name := ""
	if t, ok := r.attrs.Get(attrPinoType); ok && t.Str() == pinoSecurity {
		if a, ok := r.attrs.Get(attrPinoAction); ok {
			name = a.Str()
		} else if e, ok := r.attrs.Get(attrPinoEvent); ok {
			name = e.Str()
		}
	} else if e, ok := r.attrs.Get(attrPinoEvent); ok {
		name = e.Str()
	}
	if et, ok := reportedEvents[name]; ok {
		f := newFinding(et, contract.SourceReported, ruleReportedSecurityEv)
		if et == contract.EventIntegrityViolation {
			f.violation = contract.ViolationHashMismatch // contract section 6
		}
		rep = append(rep, f)
	}
	return rep
}

// issuerKey is one provider's issuer as one side learned it at discovery.
type issuerKey struct {
	side     uint8
	provider string
}

// issuerFor returns the issuer learned for a provider on this side, else on
// any side (issuer metadata is public: it is the same for every party).
func (d *detector) issuerFor(side uint8, provider string) (string, bool) {
	if iss, ok := d.issuers[issuerKey{side, provider}]; ok {
		return iss, true
	}
	for s := uint8(1); s <= 3; s++ {
		if iss, ok := d.issuers[issuerKey{s, provider}]; ok {
			return iss, true
		}
	}
	return "", false
}

// maxIssuers bounds the provider → issuer map (providers are few).
const maxIssuers = 10_000

func (d *detector) learnIssuer(k issuerKey, iss string) {
	if _, ok := d.issuers[k]; !ok && len(d.issuers) >= maxIssuers {
		for old := range d.issuers {
			delete(d.issuers, old)
			break
		}
	}
	if d.issuers[k] != iss {
		d.issuers[k] = iss
		d.dirty = true
	}
}
