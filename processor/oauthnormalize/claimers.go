package oauthnormalize

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/hydra"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/keycloak"
)

// claimersOf lists the claimers of the enabled vocabularies: the spans the
// join buffer keeps together with their request root (vocab.Claimer).
func claimersOf(cfg *Config) []vocab.Claimer {
	var cs []vocab.Claimer
	if cfg.Vocabularies.Keycloak.Enabled {
		cs = append(cs, keycloakClaims)
	}
	if cfg.Vocabularies.Hydra.Enabled {
		cs = append(cs, hydra.Claims)
	}
	return cs
}

// keycloakClaims claims a span with a Keycloak event that is not its
// request's root: the 26.3+ layout, where the event sits on the INTERNAL
// span of the JAX-RS method and the record is its parent SERVER span.
// Before 26.3 the event is on the root itself, which needs no join.
func keycloakClaims(s ptrace.Span, _ pcommon.Map) bool {
	if s.Events().Len() == 0 || vocab.IsRequestRoot(s) {
		return false
	}
	_, ok := keycloak.Find(s)
	return ok
}
