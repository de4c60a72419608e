package oauthaudit

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

const (
	// maxDebugAttrs bounds the attributes one debugData object adds.
	maxDebugAttrs = 64
	// maxOutcomeReason bounds the raw outcome reason kept.
	maxOutcomeReason = 256
	// debugGrantType is the debugData key of the grant type of a token
	// request (Okta's own System Log queries filter on
	// debugContext.debugData.grantType).
	debugGrantType = "grantType"
)

// oktaMapping returns the contract meaning of an Okta event (contract
// section 6, Okta row). One token request writes one grant event per issued
// token; the access-token grant (or the bare grant event) is the request's
// record, the others pass through without an operation, so that a request is
// counted once.
func oktaMapping(ev *oktaEvent, grant string) contractMapping {
	var m contractMapping
	switch ev.EventType {
	case contract.OktaDetectReuse, contract.OktaOrgDetectReuse:
		// Okta's reuse verdict: a refresh with status reuse_detected, so the
		// reuse alert and the reported token_reuse follow.
		return contractMapping{op: contract.OpRefresh, status: contract.StatusReuseDetected,
			reason: contract.ReasonReuseDetected, grant: contract.GrantRefreshToken, severity: plog.SeverityNumberError}
	case contract.OktaTokenGrant, contract.OktaTokenGrantAccessToken:
		m.op, m.grant = contract.OpToken, grant
		if grant == contract.GrantRefreshToken {
			m.op = contract.OpRefresh
		}
	case contract.OktaAuthorizeCode:
		m.op = contract.OpAuthorize
	case contract.OktaTokenRevoke:
		m.op = contract.OpRevoke
	default:
		m.severity = oktaSeverity(ev.Severity)
		return m
	}
	m.status = contract.StatusSuccess
	m.severity = plog.SeverityNumberInfo
	if ev.Outcome != nil {
		switch ev.Outcome.Result {
		case contract.OktaOutcomeFailure, contract.OktaOutcomeDeny:
			m.status, m.severity = contract.StatusFailure, plog.SeverityNumberWarn
		}
		if r := strings.ToLower(strings.TrimSpace(ev.Outcome.Reason)); slices.Contains(contract.ReasonsByOperation[m.op], r) {
			m.reason = r
		}
	}
	return m
}

func oktaSeverity(s string) plog.SeverityNumber {
	switch s {
	case "DEBUG":
		return plog.SeverityNumberDebug
	case "WARN":
		return plog.SeverityNumberWarn
	case "ERROR":
		return plog.SeverityNumberError
	default:
		return plog.SeverityNumberInfo
	}
}

// debugString renders one debugData value: strings as they are, other JSON
// scalars as their text; objects and arrays are not kept.
func debugString(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	t := strings.TrimSpace(string(v))
	if t == "" || t == "null" || t[0] == '{' || t[0] == '[' {
		return "", false
	}
	return t, true
}

func (s *oktaSource) appendRecord(sl plog.LogRecordSlice, pe *pagedEvent, observed time.Time) {
	ev := pe.data.(*oktaEvent)
	var debug map[string]json.RawMessage
	if ev.DebugContext != nil {
		debug = ev.DebugContext.DebugData
	}
	grant := ""
	if g, ok := debug[debugGrantType]; ok {
		grant, _ = debugString(g)
	}
	m := oktaMapping(ev, grant)

	lr := sl.AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	lr.SetTimestamp(pcommon.NewTimestampFromTime(pe.at))
	lr.SetSeverityNumber(m.severity)
	lr.SetSeverityText(severityText(m.severity))
	lr.Body().SetStr(ev.EventType)

	a := lr.Attributes()
	a.EnsureCapacity(12 + min(len(debug), maxDebugAttrs))
	a.PutStr(contract.AttrAuditAction, ev.EventType)
	a.PutStr(contract.AttrAuditID, ev.UUID)
	a.PutStr(contract.AttrProvider, contract.ProviderOkta)
	a.PutStr(contract.AttrSide, contract.SideServer)
	m.putContract(a)
	if m.status == contract.StatusReuseDetected {
		a.PutStr(contract.AttrReportedEventType, contract.EventTokenReuse)
	}
	if cid := oktaClientID(ev); cid != "" {
		a.PutStr(contract.AttrClientID, cid)
	}
	if ev.Actor != nil {
		if ev.Actor.ID != "" {
			a.PutStr(contract.AttrAuditActorID, ev.Actor.ID)
		}
		if ev.Actor.Type == contract.OktaActorUser {
			user := ev.Actor.ID
			if user == "" {
				user = ev.Actor.AlternateID
			}
			if user != "" {
				a.PutStr(contract.AttrEnduserID, user)
			}
		}
	}
	if ev.Client != nil && ev.Client.IPAddress != "" {
		a.PutStr(contract.AttrClientAddress, ev.Client.IPAddress)
	}
	if ev.Outcome != nil {
		if ev.Outcome.Result != "" {
			a.PutStr(contract.AttrAuditOutcomeResult, ev.Outcome.Result)
		}
		if ev.Outcome.Reason != "" {
			a.PutStr(contract.AttrAuditOutcomeReason, truncateUTF8(ev.Outcome.Reason, maxOutcomeReason))
		}
	}
	if ev.DisplayMessage != "" {
		a.PutStr(contract.AttrAuditDisplayMessage, ev.DisplayMessage)
	}
	putDebugData(a, debug)
}

// oktaClientID is the OAuth client of an event: LogClient.id, else the
// target of type AppInstance (an OIDC app's id is its client_id).
func oktaClientID(ev *oktaEvent) string {
	if ev.Client != nil && ev.Client.ID != "" {
		return ev.Client.ID
	}
	for _, t := range ev.Target {
		if t.Type == contract.OktaTargetApp && t.ID != "" {
			return t.ID
		}
	}
	return ""
}

// putDebugData passes debugContext.debugData through, one attribute per
// scalar entry with a plain key, at most maxDebugAttrs, in key order.
// oauth_redact downstream fingerprints whatever in it is a secret.
func putDebugData(a pcommon.Map, debug map[string]json.RawMessage) {
	n := 0
	for _, k := range plainKeys(debug) {
		if n == maxDebugAttrs {
			return
		}
		if v, ok := debugString(debug[k]); ok {
			a.PutStr(contract.AttrAuditDebugPrefix+k, v)
			n++
		}
	}
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// plainKeys returns the keys of a vendor's free-form object that may become
// attribute names (validKey), sorted, so what passes through is the same on
// every run whatever the map order.
func plainKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if validKey(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
