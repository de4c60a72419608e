package oauthnormalize

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/keycloak"
)

// mapKeycloakLog maps a Keycloak event read from its admin events API (the
// oauth_audit receiver writes it in Keycloak's own shape, kc.* attributes
// and the event type as event name) by the vocabulary of Keycloak's traces:
// one table for both. The log record is the request's record. It reports
// whether it claimed lr.
func (n *normalizer) mapKeycloakLog(lr plog.LogRecord, res pcommon.Map, c *counts) bool {
	if !keycloak.IsLog(lr) {
		return false
	}
	r, v := keycloak.MapLog(lr, n.cfg.Vocabularies.Keycloak.Provider)
	c.add(vocab.Keycloak, v)
	if v.Reason == vocab.Mapped && r.Record {
		r.Write(lr.Attributes(), res)
	}
	return true
}
