package oauthnormalize

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/claims"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
)

// processTraces maps a batch of spans: first the server vocabularies
// (Keycloak's and Hydra's spans and events, AuthPlane's service spans,
// written onto their request's root), then
// generic HTTP on the request roots still without an operation, so that
// the most specific vocabulary wins (contract section 6).
func (n *normalizer) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	n.mapTraces(ctx, td, nil)
	return td, nil
}

// mapTraces is processTraces with the batch's index when the join buffer
// built one (nil: built at the first span that needs it), shared by the
// vocabularies that look up a request's root.
func (n *normalizer) mapTraces(ctx context.Context, td ptrace.Traces, idx authplanespans.Index) {
	var c counts
	var claimed claimedRoots
	if n.cfg.Vocabularies.Keycloak.Enabled {
		claimed = n.mapKeycloakSpans(td, &idx, &c)
	}
	if n.cfg.Vocabularies.Hydra.Enabled {
		claimed = n.mapHydraSpans(td, &idx, claimed, &c)
	}
	if n.cfg.Vocabularies.AuthPlaneSpans.Enabled {
		n.mapServiceSpans(td, &idx, &c)
	}
	if n.http != nil {
		n.mapHTTPSpans(td, claimed, &c)
	}
	n.tel.record(ctx, &c)
}

// mapServiceSpans writes what each AuthPlane service span says onto the
// root SERVER span of its request, when that root is in the batch.
func (n *normalizer) mapServiceSpans(td ptrace.Traces, idx *authplanespans.Index, c *counts) {
	vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
		svc, ok := authplanespans.Match(s.Name())
		if !ok {
			return
		}
		root, found := n.requestRoot(idx, td, s, vocab.AuthPlaneSpans, c)
		if !found {
			return
		}
		attrs := root.Span.Attributes()
		if contract.Operation(attrs, root.Res) != "" {
			// The app's own operation, or another service span of the
			// same request, already made the root a record.
			return
		}
		code, _ := vocab.HTTPStatus(attrs)
		m := vocab.Mapping{
			Operation: svc.Operation,
			GrantType: svc.GrantType,
			Side:      contract.SideServer,
			Status:    authplanespans.Status(svc.Operation, s, root.Span, code),
			Provider:  n.cfg.Vocabularies.AuthPlaneSpans.Provider,
		}
		m.Write(attrs, root.Res)
		c.add(vocab.AuthPlaneSpans, vocab.MappedVerdict)
	})
}

// mapHTTPSpans maps request root SERVER spans by their HTTP route.
// Roots a server vocabulary claimed are left to it.
func (n *normalizer) mapHTTPSpans(td ptrace.Traces, claimed claimedRoots, c *counts) {
	vocab.EachSpan(td, func(s ptrace.Span, res pcommon.Map) {
		if !vocab.IsRequestRoot(s) || claimed.has(s) {
			return
		}
		attrs := s.Attributes()
		if contract.Operation(attrs, res) != "" {
			return
		}
		var m vocab.Mapping
		v := n.http.Map(s, res, &m)
		if v.Claimed && v.Reason == vocab.Mapped {
			m.Write(attrs, res)
			n.counted.Add(claims.KeyOf(s.TraceID(), s.SpanID()))
		}
		c.add(vocab.GenericHTTP, v)
	})
}
