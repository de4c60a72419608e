package oauthgen

import (
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Hydra traffic (Config.Traffic = TrafficHydra): what an Ory Hydra v2.3.0
// with OTLP tracing sends (issue 18), with ground truth. Each request is a
// root SERVER span named after its path with otelhttp's old HTTP attributes
// (status UNSET even on a 400) and its children: fosite's steps, Hydra's
// persister and consent strategy spans, ory/x's sql spans, and Hydra's span
// events (hydra_layout.go). Flows and attacks are in hydra_flows.go.
//
// Hydra's BatchSpanProcessor exports a span when it ends, so a request's
// children leave before its root, and the batch boundaries fall anywhere:
// the stream is cut into requests of random size, and the root of some
// requests is held back a few hundred milliseconds (at the planned rate),
// so that it arrives in a later OTLP request than its children. Every root
// is sent in the end (the stream flushes what it holds back).

// TrafficHydra selects the Hydra traffic; "" is the scenario traffic.
const TrafficHydra = "hydra"

// maxExportBatch is the OpenTelemetry Go SDK's default
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE, which Hydra keeps.
const maxExportBatch = 512

// hspan is one generated span waiting to be sent.
type hspan struct {
	span  ptrace.Span
	scope string
	// due is the number of spans generated before which this one is not
	// sent (a held-back root); 0 for none.
	due int
	// req is set on a root: its truth is applied when it is sent.
	req *hreq
}

// hydraGen is the Hydra stream.
type hydraGen struct {
	cfg     *Config
	src     secretSource
	truth   *Truth
	rng     *rand.Rand
	ready   []hspan
	delayed []hspan
	// generated counts spans generated (the planned time of the next one).
	generated int
	flows     int
	last      *hreq // the request queued last (count adds to it)
	// webClients and serviceClients are the registered clients' ids.
	webClients, serviceClients []string
	sigs                       int
	attacks                    int
	done                       bool
}

func newHydraGen(cfg *Config, src secretSource, truth *Truth) *hydraGen {
	h := &hydraGen{cfg: cfg, src: src, truth: truth, rng: rand.New(rand.NewPCG(cfg.Seed, 0x4d1a_b3d))}
	for range 20 {
		h.webClients = append(h.webClients, h.uuid())
	}
	for range 8 {
		h.serviceClients = append(h.serviceClients, h.uuid())
	}
	return h
}

// now is the planned real time of the next span.
func (h *hydraGen) now() time.Time {
	return h.cfg.Start.Add(time.Duration(float64(h.generated) / h.cfg.Rate * float64(time.Second)))
}

// traceID returns a fresh trace id (one per HTTP request: Hydra's clients
// propagate no context in this traffic).
func (h *hydraGen) traceID() pcommon.TraceID {
	var t pcommon.TraceID
	h.randomID(t[:])
	return t
}

func (h *hydraGen) spanID() pcommon.SpanID {
	var s pcommon.SpanID
	h.randomID(s[:])
	return s
}

// randomID fills an id with random bytes, never all zero.
func (h *hydraGen) randomID(b []byte) {
	for i := range b {
		b[i] = byte(h.rng.UintN(256))
	}
	b[0] |= 1
}

// finish queues a request's spans as Hydra's span processor exports them,
// each when it ends: every child before its parent (the reverse of the
// order they were started in), the root last, held back with probability
// 0.3 by 100 to 500 ms.
func (h *hydraGen) finish(r *hreq) {
	for i := len(r.children) - 1; i >= 0; i-- {
		h.ready = append(h.ready, r.children[i])
	}
	h.generated += len(r.children) + 1
	h.last = r
	root := hspan{span: r.root, scope: scopeHydra, req: r}
	if h.rng.Float64() < 0.3 {
		ms := 100 + h.rng.IntN(400)
		root.due = h.generated + max(1, int(float64(ms)/1000*h.cfg.Rate))
		h.delayed = append(h.delayed, root)
		return
	}
	h.ready = append(h.ready, root)
}

// release moves the held-back roots that are due into ready.
func (h *hydraGen) release(all bool) {
	kept := h.delayed[:0]
	for _, s := range h.delayed {
		if all || s.due <= h.generated {
			h.ready = append(h.ready, s)
		} else {
			kept = append(kept, s)
		}
	}
	h.delayed = kept
}

// next returns the next traces request of the Hydra stream.
func (h *hydraGen) next() (Request, bool) {
	// Hydra's BatchSpanProcessor exports at most 512 spans at a time, fewer
	// when its timer fires first: sizes from a quarter of BatchSize up.
	top := min(h.cfg.BatchSize, maxExportBatch)
	size := top/4 + h.rng.IntN(top-top/4+1)
	if h.flows == 0 {
		h.startup()
		h.firstDiscovery()
		h.count(contract.MetricDiscoveryAttemptsTotal, contract.LabelMethod, contract.Other, contract.LabelStatus, contract.StatusSuccess)
		h.flows++
	}
	for !h.done && len(h.ready) < size {
		if h.cfg.Records > 0 && h.generated >= h.cfg.Records {
			h.done = true
			break
		}
		h.flow()
		h.release(false)
	}
	if h.done {
		h.release(true)
	}
	if len(h.ready) == 0 {
		return Request{}, false
	}
	n := min(size, len(h.ready))
	batch := h.ready[:n]
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.27.0")
	rs.Resource().Attributes().PutStr("deployment.environment.name", "")
	rs.Resource().Attributes().PutStr("service.name", hydraService)
	scopes := map[string]ptrace.SpanSlice{}
	for _, s := range batch {
		spans, ok := scopes[s.scope]
		if !ok {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(s.scope)
			spans = ss.Spans()
			scopes[s.scope] = spans
		}
		s.span.CopyTo(spans.AppendEmpty())
		if s.req != nil {
			s.req.truth.apply(h.truth)
		}
	}
	h.ready = append(h.ready[:0], h.ready[n:]...)
	h.truth.Spans += n
	h.truth.Requests++
	return Request{Signal: Traces, Traces: td, Records: n}, true
}
