// Package hydra maps Ory Hydra v2's OTLP traces (contract section 6, Hydra
// row). Hydra writes one request as a root SERVER span named after its path
// (otelhttp, old HTTP attributes, status UNSET even on 400) and many
// children: fosite's steps (Fosite.NewAccessRequest, ... with error,
// error.reason and error.debug when they fail), its persister's
// (persistence.sql.*, some with a token signature or a client id), its
// consent strategy's (DefaultStrategy.*), and span events
// (OAuth2AccessTokenIssued, OAuth2TokenExchangeError, ...) on some of them.
// The request's record is the root; this package gathers what the spans
// of one request say (Request) and says what it means (Map). The caller
// finds the spans of a request in a batch.
package hydra

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Claims reports whether s is a span of a Hydra request whose trace the
// join buffer must hold until the request's root SERVER span arrives: a
// fosite step, a persister or consent strategy span, or a span carrying a
// Hydra event, that is not itself a request root. res is the span's
// resource (unused: Hydra's service name is configurable, its span names
// are not). It is a vocab.Claimer: no allocation.
func Claims(s ptrace.Span, _ pcommon.Map) bool {
	return !vocab.IsRequestRoot(s) && Shaped(s)
}

// Shaped reports whether s is in the shape of a Hydra request's span: a
// fosite step, a persister or consent strategy span, or a span carrying a
// Hydra event.
func Shaped(s ptrace.Span) bool {
	name := s.Name()
	if name == "" {
		return hasEvent(s)
	}
	switch name[0] {
	case 'F':
		return strings.HasPrefix(name, contract.HydraFositePrefix) || hasEvent(s)
	case 'p':
		return strings.HasPrefix(name, contract.HydraPersistencePrefix) || hasEvent(s)
	case 'D':
		return strings.HasPrefix(name, contract.HydraStrategyPrefix) || hasEvent(s)
	}
	return hasEvent(s)
}

// Evident reports whether s shows by itself that its request is Hydra's:
// a fosite step, a consent strategy span or a Hydra event. Persister span
// names alone are not enough (other Ory servers share ory/x's
// persistence.sql. prefix), nor is a SERVER span of a Hydra path.
func Evident(s ptrace.Span) bool {
	name := s.Name()
	return strings.HasPrefix(name, contract.HydraFositePrefix) ||
		strings.HasPrefix(name, contract.HydraStrategyPrefix) || hasEvent(s)
}

// IsScope reports whether an instrumentation scope is Hydra's own tracer,
// which writes its request roots and persister spans.
func IsScope(name string) bool { return name == contract.HydraScope }

func hasEvent(s ptrace.Span) bool {
	evs := s.Events()
	if evs.Len() == 0 {
		return false
	}
	for i := 0; i < evs.Len(); i++ {
		if _, ok := events[evs.At(i).Name()]; ok {
			return true
		}
	}
	return false
}

// events are the span events of x/events/events.go.
var events = map[string]struct{}{
	contract.HydraEventAccessTokenIssued:    {},
	contract.HydraEventRefreshTokenIssued:   {},
	contract.HydraEventIdentityTokenIssued:  {},
	contract.HydraEventTokenExchangeError:   {},
	contract.HydraEventAccessTokenRevoked:   {},
	contract.HydraEventAccessTokenInspected: {},
	contract.HydraEventClientCreated:        {},
	contract.HydraEventClientDeleted:        {},
	contract.HydraEventClientUpdated:        {},
	contract.HydraEventLoginAccepted:        {},
	contract.HydraEventLoginRejected:        {},
	contract.HydraEventConsentAccepted:      {},
	contract.HydraEventConsentRejected:      {},
	contract.HydraEventConsentRevoked:       {},
}
