package oauthaudit

import (
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// appendRecord writes one event in Keycloak's own shape, the one its
// EventBuilder gives a span event when tracing is on: event name and body
// = the event type, kc.eventId, kc.realmId, kc.realmName, kc.clientId,
// kc.userId, kc.sessionId, ipAddress, kc.eventError and kc.details.<key>.
// The receiver does not map it onto the contract: oauth_normalize's
// keycloak vocabulary does, for these records as for Keycloak's traces
// (one table). oauth.audit.id is the event's id (or digest), as for every
// audit source.
func (s *keycloakSource) appendRecord(sl plog.LogRecordSlice, pe *pagedEvent, observed time.Time) {
	ev := pe.data.(*keycloakEvent)
	lr := sl.AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	lr.SetTimestamp(pcommon.NewTimestampFromTime(pe.at))
	lr.SetEventName(ev.Type)
	lr.Body().SetStr(ev.Type)
	sev := plog.SeverityNumberInfo
	if strings.HasSuffix(ev.Type, "_ERROR") {
		sev = plog.SeverityNumberWarn
	}
	lr.SetSeverityNumber(sev)
	lr.SetSeverityText(severityText(sev))

	a := lr.Attributes()
	a.EnsureCapacity(10 + min(len(ev.Details), maxDetailAttrs))
	a.PutStr(contract.AttrAuditID, pe.id)
	putNonEmpty(a,
		contract.KeycloakEventID, ev.ID,
		contract.KeycloakRealmID, ev.RealmID,
		contract.KeycloakRealmName, s.realm,
		contract.KeycloakClientID, ev.ClientID,
		contract.KeycloakUserID, ev.UserID,
		contract.KeycloakSessionID, ev.SessionID,
		contract.KeycloakIPAddress, ev.IPAddress,
		contract.KeycloakEventError, ev.Error,
	)
	putKeycloakDetails(a, ev.Details)
}

// putKeycloakDetails writes each detail as kc.details.<key>, as the trace
// does (the token ids among them, kc.details.refresh_token_id and the
// others, are contract token identifiers that oauth_redact fingerprints),
// at most maxDetailAttrs, in key order; a key that cannot be an attribute
// name (validKey) is dropped. A credential key (code, refresh_token, ...),
// which Keycloak does not write, goes to its contract attribute instead,
// where oauth_redact fingerprints it.
func putKeycloakDetails(a pcommon.Map, details map[string]string) {
	keys := make([]string, 0, len(details))
	for k := range details {
		if validKey(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	plain := 0
	for _, k := range keys {
		if attr := contract.SecretParamAttr(k); attr != "" {
			a.PutStr(attr, details[k])
			continue
		}
		if plain < maxDetailAttrs {
			a.PutStr(contract.KeycloakDetailsPrefix+k, details[k])
			plain++
		}
	}
}

// putNonEmpty puts each key, value pair of kvs whose value is not empty.
func putNonEmpty(a pcommon.Map, kvs ...string) {
	for i := 0; i+1 < len(kvs); i += 2 {
		if kvs[i+1] != "" {
			a.PutStr(kvs[i], kvs[i+1])
		}
	}
}
