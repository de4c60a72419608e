package oauthnormalize

import (
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/claims"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/authplanespans"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/hydra"
)

// hydraRequest is one Hydra request of a batch: its root and what its
// spans said.
type hydraRequest struct {
	root authplanespans.Spanned
	req  hydra.Request
}

// mapHydraSpans gathers the spans of each Hydra request of the batch
// (Hydra's own roots, fosite, persister and consent strategy spans, spans
// with Hydra events) under their request's root SERVER span, and writes
// what they say onto that root. It adds the roots it claimed to claimed
// (a nil set is made) and returns it; idx is the batch's index, built at
// the first span that needs it. Spans whose root is not in the
// batch are counted root_not_in_batch once per missing parent; the join
// buffer makes that rare.
func (n *normalizer) mapHydraSpans(td ptrace.Traces, idx *authplanespans.Index, claimed claimedRoots, c *counts) claimedRoots {
	var reqs map[claims.Key]*hydraRequest
	var orphans map[claims.Key]bool // missing parent → an evident span below it
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ownScope := hydra.IsScope(sss.At(j).Scope().Name())
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				ownRoot := ownScope && vocab.IsRequestRoot(s)
				if !ownRoot && !hydra.Shaped(s) {
					continue
				}
				if *idx == nil {
					*idx = authplanespans.NewIndex(td) // shared with the other vocabularies
				}
				if reqs == nil {
					reqs, orphans = map[claims.Key]*hydraRequest{}, map[claims.Key]bool{}
				}
				root, found := idx.Root(s)
				if !found {
					if key, cut := missingParent(*idx, s); cut {
						orphans[key] = orphans[key] || hydra.Evident(s)
					}
					continue
				}
				key := claims.KeyOf(root.Span.TraceID(), root.Span.SpanID())
				r := reqs[key]
				if r == nil {
					r = &hydraRequest{root: root}
					reqs[key] = r
				}
				r.req.Evident = r.req.Evident || ownRoot
				r.req.Observe(s)
			}
		}
	}
	for _, evident := range orphans {
		if evident {
			c.add(vocab.Hydra, vocab.NotMappable(vocab.RootNotInBatch))
		}
	}
	for key, r := range reqs {
		if !r.req.Evident {
			continue // persister spans of another Ory server
		}
		if claimed == nil {
			claimed = claimedRoots{}
		}
		claimed[key] = struct{}{}
		res, v := hydra.Map(&r.req, r.root.Span, n.cfg.Vocabularies.Hydra.Provider)
		c.add(vocab.Hydra, v)
		if v.Reason == vocab.Mapped && res.Record {
			res.Write(r.root.Span.Attributes(), r.root.Res)
			n.counted.Add(key)
		}
	}
	return claimed
}

// missingParent returns the first parent above s that is not in the
// batch (the request's spans were cut from their root). cut is false when
// the chain ends at a span without a parent that is no request root:
// Hydra's start-up work (migrations, keys), not a request.
func missingParent(idx authplanespans.Index, s ptrace.Span) (key claims.Key, cut bool) {
	cur := s
	for range maxParentHops {
		p := cur.ParentSpanID()
		if p.IsEmpty() {
			return key, false
		}
		key = claims.KeyOf(s.TraceID(), p)
		next, ok := idx[key]
		if !ok {
			return key, true
		}
		cur = next.Span
	}
	return key, false
}

// maxParentHops bounds the walk (and ends a cycle), as Index.Root does.
const maxParentHops = 64
