package oauthaudit

import (
	"encoding/json"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// auth0Mappings is the contract meaning of Auth0 log types (contract
// section 6, Auth0 row). ferrt, Auth0's verdict on a reused rotating refresh
// token, is a refresh with status reuse_detected, so the reuse alert and the
// reported token_reuse follow.
var auth0Mappings = map[string]contractMapping{
	contract.Auth0CodeExchangeSuccess: {op: contract.OpToken, status: contract.StatusSuccess, grant: contract.GrantAuthorizationCode, severity: plog.SeverityNumberInfo},
	contract.Auth0CodeExchangeFailure: {op: contract.OpToken, status: contract.StatusFailure, grant: contract.GrantAuthorizationCode, severity: plog.SeverityNumberWarn},
	contract.Auth0RefreshSuccess:      {op: contract.OpRefresh, status: contract.StatusSuccess, grant: contract.GrantRefreshToken, severity: plog.SeverityNumberInfo},
	contract.Auth0RefreshFailure:      {op: contract.OpRefresh, status: contract.StatusFailure, grant: contract.GrantRefreshToken, severity: plog.SeverityNumberWarn},
	contract.Auth0RefreshRevoked:      {op: contract.OpRevoke, status: contract.StatusSuccess, severity: plog.SeverityNumberInfo},
	contract.Auth0RotatingRefreshFailure: {op: contract.OpRefresh, status: contract.StatusReuseDetected, reason: contract.ReasonReuseDetected,
		grant: contract.GrantRefreshToken, severity: plog.SeverityNumberError},
}

// auth0Mapping returns the meaning of a log type; other types pass through
// without an operation, at INFO.
func auth0Mapping(typ string) contractMapping {
	if m, ok := auth0Mappings[typ]; ok {
		return m
	}
	return contractMapping{severity: plog.SeverityNumberInfo}
}

func (s *auth0Source) appendRecord(sl plog.LogRecordSlice, pe *pagedEvent, observed time.Time) {
	appendAuth0Record(sl, pe, observed)
}

// appendAuth0Record maps one Auth0 log (pulled or pushed) onto a new record.
func appendAuth0Record(sl plog.LogRecordSlice, pe *pagedEvent, observed time.Time) {
	l := pe.data.(*auth0Log)
	m := auth0Mapping(l.Type)

	lr := sl.AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	lr.SetTimestamp(pcommon.NewTimestampFromTime(pe.at))
	lr.SetSeverityNumber(m.severity)
	lr.SetSeverityText(severityText(m.severity))
	lr.Body().SetStr(l.Type)

	a := lr.Attributes()
	a.EnsureCapacity(14 + min(len(l.Details), maxDetailAttrs))
	a.PutStr(contract.AttrAuditAction, l.Type)
	a.PutStr(contract.AttrAuditID, l.LogID)
	a.PutStr(contract.AttrProvider, contract.ProviderAuth0)
	a.PutStr(contract.AttrSide, contract.SideServer)
	m.putContract(a)
	if m.status == contract.StatusReuseDetected {
		a.PutStr(contract.AttrReportedEventType, contract.EventTokenReuse)
	}
	putNonEmpty(a,
		contract.AttrClientID, l.ClientID,
		contract.AttrEnduserID, l.UserID,
		contract.AttrClientAddress, l.IP,
		contract.AttrUserAgent, l.UserAgent,
		contract.AttrAuditDescription, truncateUTF8(l.Description, maxOutcomeReason),
		contract.AttrAuditClientName, l.ClientName,
		contract.AttrAuditUserName, l.UserName,
		contract.AttrAuditHostname, l.Hostname,
	)
	putAuth0Details(a, l.Details)
}

// putAuth0Details passes the scalars of details through, as AuthPlane's
// detail entries: a credential key (code, refresh_token, ...) goes to its
// contract attribute, where oauth_redact fingerprints it; another key
// becomes oauth.audit.detail.<key>, at most maxDetailAttrs of them, in key
// order. Nested objects and arrays are not kept.
func putAuth0Details(a pcommon.Map, details map[string]json.RawMessage) {
	plain := 0
	for _, k := range plainKeys(details) {
		v, ok := debugString(details[k])
		if !ok {
			continue
		}
		if attr := contract.SecretParamAttr(k); attr != "" {
			a.PutStr(attr, v)
			continue
		}
		if plain < maxDetailAttrs {
			a.PutStr(contract.AttrAuditDetailPrefix+k, v)
			plain++
		}
	}
}
