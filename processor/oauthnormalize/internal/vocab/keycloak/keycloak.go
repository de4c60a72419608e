// Package keycloak maps Keycloak's OTLP traces (contract section 6, Keycloak
// row). Keycloak's EventBuilder adds one span event per event, named by its
// type (CODE_TO_TOKEN, REFRESH_TOKEN_ERROR, ...), with kc.* attributes and
// kc.details.<key> per detail, on the span current at the time: the SERVER
// span of the request before 26.3, the INTERNAL span of the JAX-RS method
// from 26.3. Either way the request's record is its root SERVER span, which
// the caller finds; this package reads the event and says what it means.
package keycloak

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Result is what one Keycloak event says about its request (FlowID: the
// kc.details.code_id that joins a flow's LOGIN to its CODE_TO_TOKEN;
// RefreshToken: the presented refresh token's id).
type Result = vocab.ServerResult

// Find returns the first span event of s that is a Keycloak event of a
// type the vocabulary knows: named by the type and carrying kc.eventId,
// which EventBuilder always writes.
func Find(s ptrace.Span) (ptrace.SpanEvent, bool) {
	evs := s.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if _, known := kinds[ev.Name()]; !known {
			continue
		}
		if _, ok := ev.Attributes().Get(contract.KeycloakEventID); ok {
			return ev, true
		}
	}
	return ptrace.SpanEvent{}, false
}

// Map reads a Keycloak event found by Find. provider is written as
// oauth.provider (empty: none).
func Map(ev ptrace.SpanEvent, provider string) (Result, vocab.Verdict) {
	return mapEvent(ev.Name(), ev.Attributes(), provider)
}

// mapEvent reads one Keycloak event, named by its type, from its kc.*
// attributes: those of a span event or of an events API log record.
func mapEvent(name string, a pcommon.Map, provider string) (Result, vocab.Verdict) {
	var f [6]string
	for i, k := range [...]string{contract.KeycloakEventError, contract.KeycloakReason, contract.KeycloakCodeID,
		contract.KeycloakClientID, contract.KeycloakUserID, contract.KeycloakGrantType} {
		s, _, wrong := vocab.Str(a, k)
		if wrong {
			return Result{}, vocab.NotMappable(vocab.WrongType)
		}
		f[i] = s
	}
	errStr, reason, codeID, clientID, userID, grant := f[0], f[1], f[2], f[3], f[4], f[5]
	refresh, _, wrong := vocab.Str(a, contract.AttrKeycloakRefreshTokenID)
	if wrong {
		return Result{}, vocab.NotMappable(vocab.WrongType)
	}

	k := kinds[name]
	r := Result{Record: k.record}
	if name == contract.KeycloakLogin || name == contract.KeycloakLoginError {
		k, r.Record = login(k, grant, errStr)
	}
	if !r.Record {
		return r, vocab.MappedVerdict
	}
	r.Operation, r.GrantType, r.Side = k.operation, k.grant, contract.SideServer
	r.ClientID, r.EnduserID, r.Provider = clientID, userID, provider
	r.Status = status(k)
	switch r.Operation {
	case contract.OpRefresh:
		r.RefreshToken = refresh
		refreshVerdict(&r, k, reason)
	case contract.OpRevoke:
		r.Reason = contract.ReasonManual
	case contract.OpAuthorize:
		r.FlowID = codeID
		if k.failure && refusals[errStr] {
			r.Reason = contract.ReasonInvalidClient
		}
	case contract.OpToken:
		if k.grant == contract.GrantAuthorizationCode {
			r.FlowID = codeID
			exchangeVerdict(&r, k, errStr, codeID)
		}
	}
	return r, vocab.MappedVerdict
}

// login refines LOGIN / LOGIN_ERROR: with a grant_type detail it is the
// token endpoint's password grant; an error that refuses no authorization
// request is no record.
func login(k kind, grant, errStr string) (kind, bool) {
	if grant != "" {
		return kind{contract.OpToken, grant, k.failure, true}, true
	}
	if !k.failure {
		return k, true
	}
	_, refused := refusals[errStr]
	return k, refused
}

func status(k kind) string {
	switch {
	case k.failure:
		return contract.StatusFailure
	case k.operation == contract.OpAuthorize:
		return contract.StatusInitiated
	}
	return contract.StatusSuccess
}

// refreshVerdict: Keycloak's own reuse verdict is a reported token_reuse
// with status and reason reuse_detected; every other failure ("Stale
// token", "Session not active", ...) is a plain refresh failure.
func refreshVerdict(r *Result, k kind, reason string) {
	switch {
	case !k.failure:
		r.Reason = contract.ReasonNormal
	case reason == contract.KeycloakReasonReuse:
		r.Status, r.Reason = contract.StatusReuseDetected, contract.ReasonReuseDetected
		r.ReportedEventType = contract.EventTokenReuse
	}
}

// exchangeVerdict: invalid_code with a code_id is a code that parsed but
// was already redeemed (OAuth2CodeParser): a reported code_injection;
// without one (garbled or missing code) a plain failure. A PKCE error is
// the exchange's PKCE check failing.
func exchangeVerdict(r *Result, k kind, errStr, codeID string) {
	if !k.failure {
		return
	}
	if errStr == contract.KeycloakErrInvalidCode && codeID != "" {
		r.ReportedEventType = contract.EventCodeInjection
	}
	if pkceErrors[errStr] {
		r.PKCEReason = contract.ReasonInvalidHash
	}
}

// IsAuthRoute reports whether a request root is Keycloak's authorization
// endpoint by its route template.
func IsAuthRoute(attrs pcommon.Map) bool {
	route, ok, _ := vocab.Str(attrs, contract.AttrHTTPRoute)
	return ok && len(route) >= len(contract.KeycloakAuthRoute) &&
		route[len(route)-len(contract.KeycloakAuthRoute):] == contract.KeycloakAuthRoute
}
