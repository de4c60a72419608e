package keycloak

import (
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// IsLog reports whether lr is a Keycloak event as the oauth_audit receiver
// writes it from the admin events API (GET /admin/realms/{realm}/events):
// in Keycloak's own shape, event name = a type the vocabulary knows, the
// same kc.* attributes as the span event, and kc.realmId, which every stored
// event has (kc.eventId only from Keycloak 26.2).
func IsLog(lr plog.LogRecord) bool {
	if _, known := kinds[lr.EventName()]; !known {
		return false
	}
	_, ok := lr.Attributes().Get(contract.KeycloakRealmID)
	return ok
}

// MapLog reads a Keycloak event log record found by IsLog, by the same
// table as its traces: the record is the request's record. provider is
// written as oauth.provider (empty: none).
func MapLog(lr plog.LogRecord, provider string) (Result, vocab.Verdict) {
	return mapEvent(lr.EventName(), lr.Attributes(), provider)
}
