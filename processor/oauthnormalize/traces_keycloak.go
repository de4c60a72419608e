package oauthnormalize

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/claims"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/keycloak"
)

// claimedRoots are the request roots of a batch that a server vocabulary
// claimed: generic HTTP leaves them alone (contract section 6: the most
// specific vocabulary wins). A nil set claims nothing.
type claimedRoots map[claims.Key]struct{}

func (c claimedRoots) has(s ptrace.Span) bool {
	_, ok := c[claims.KeyOf(s.TraceID(), s.SpanID())]
	return ok
}

// mapKeycloakSpans writes what each Keycloak span event says onto the root
// SERVER span of its request (the event's own span before Keycloak 26.3,
// its parent from 26.3), when that root is in the batch. It returns the
// roots it claimed: those of its events, and Keycloak authorization
// endpoint requests without an event (the login page of a flow whose LOGIN
// event, the flow's authorize record, comes with a later request).
func (n *normalizer) mapKeycloakSpans(td ptrace.Traces, idx *authplanespans.Index, c *counts) claimedRoots {
	claimed := claimedRoots{}
	provider := n.cfg.Vocabularies.Keycloak.Provider
	vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
		ev, ok := keycloak.Find(s)
		if !ok {
			return
		}
		root, found := n.requestRoot(idx, td, s, vocab.Keycloak, c)
		if !found {
			return
		}
		claimed[claims.KeyOf(root.Span.TraceID(), root.Span.SpanID())] = struct{}{}
		r, v := keycloak.Map(ev, provider)
		c.add(vocab.Keycloak, v)
		if v.Reason == vocab.Mapped && r.Record {
			r.Write(root.Span.Attributes(), root.Res)
		}
	})
	vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
		if vocab.IsRequestRoot(s) && keycloak.IsAuthRoute(s.Attributes()) {
			claimed[claims.KeyOf(s.TraceID(), s.SpanID())] = struct{}{}
		}
	})
	return claimed
}

// requestRoot finds the root SERVER span of s's request in the batch (idx
// is built at the first call unless given); a miss counts root_not_in_batch for
// vocabulary. Found, both spans are the request's record: a log line of
// either is not another one.
func (n *normalizer) requestRoot(idx *authplanespans.Index, td ptrace.Traces, s ptrace.Span, vocabulary int, c *counts) (authplanespans.Spanned, bool) {
	if *idx == nil {
		*idx = authplanespans.NewIndex(td)
	}
	root, found := idx.Root(s)
	if !found {
		c.add(vocabulary, vocab.NotMappable(vocab.RootNotInBatch))
		return root, false
	}
	n.counted.Add(claims.KeyOf(s.TraceID(), s.SpanID()))
	n.counted.Add(claims.KeyOf(root.Span.TraceID(), root.Span.SpanID()))
	return root, true
}
