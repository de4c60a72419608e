package hydra

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// Splitter is an OTLP/HTTP proxy that cuts every trace export request it
// receives into single-span requests and forwards them one by one, in a
// random order in which every span comes before its parent (children before
// their root) and the requests' roots keep the order the sender gave them
// (the order in which Hydra's requests ended), to an OTLP/HTTP receiver.
// Spans of different traces interleave at random. Each forwarded span keeps
// its resource and scope. It answers the sender only once every piece was
// accepted, so nothing is lost silently.
type Splitter struct {
	// Addr is where it listens (127.0.0.1:port): point Hydra's
	// tracing.providers.otlp.server_url here.
	Addr     string
	target   string
	client   *http.Client
	mu       sync.Mutex
	rng      *rand.Rand
	requests int
	spans    int
}

// StartSplitter forwards to target (host:port of an OTLP/HTTP receiver); the
// random order comes from seed. It stops at test cleanup.
func StartSplitter(t testing.TB, target string, seed uint64) *Splitter {
	t.Helper()
	s := &Splitter{target: target, client: &http.Client{Timeout: 10 * time.Second}, rng: rand.New(rand.NewPCG(seed, seed))}
	srv, err := testutil.StartOTLPServer(s.handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s.Addr = srv.HTTPAddr
	return s
}

// Counts is how many export requests came in and how many single-span
// requests went out.
func (s *Splitter) Counts() (requests, spans int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.spans
}

// DecodeTraces decodes one OTLP export request that Hydra sent (an
// OTLPHandler's arguments); any other signal is an error: Hydra sends
// traces only.
func DecodeTraces(signal string, body []byte) (ptrace.Traces, error) {
	if signal != testutil.SignalTraces {
		return ptrace.Traces{}, fmt.Errorf("hydra sent %s: it sends traces only", signal)
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		return ptrace.Traces{}, err
	}
	return req.Traces(), nil
}

func (s *Splitter) handle(signal string, body []byte) error {
	td, err := DecodeTraces(signal, body)
	if err != nil {
		return err
	}
	// One export at a time: the order across requests stays the sender's.
	s.mu.Lock()
	defer s.mu.Unlock()
	pieces := s.order(SingleSpans(td))
	for _, td := range pieces {
		if err := s.forward(td); err != nil {
			return err
		}
	}
	s.requests++
	s.spans += len(pieces)
	return nil
}

// order is a random order of the pieces in which every span comes before
// its parent (when the parent is in the same request) and the roots (spans
// without a parent among the pieces) keep their order: each step picks at
// random among the non-root spans whose children have all gone and the next
// root, once its children have all gone.
func (s *Splitter) order(pieces []ptrace.Traces) []ptrace.Traces {
	parent := parents(pieces)
	pending := make([]int, len(pieces))
	var roots []int
	for i, p := range parent {
		if p >= 0 {
			pending[p]++
		} else {
			roots = append(roots, i)
		}
	}
	var ready []int
	for i, n := range pending {
		if n == 0 && parent[i] >= 0 {
			ready = append(ready, i)
		}
	}
	out := make([]ptrace.Traces, 0, len(pieces))
	emitted := make([]bool, len(pieces))
	for {
		// The next root competes with the ready children once it is free.
		choices := len(ready)
		if len(roots) > 0 && pending[roots[0]] == 0 {
			choices++
		}
		if choices == 0 {
			break
		}
		k := s.rng.IntN(choices)
		var i int
		if k == len(ready) {
			i, roots = roots[0], roots[1:]
		} else {
			i = ready[k]
			ready[k] = ready[len(ready)-1]
			ready = ready[:len(ready)-1]
		}
		out, emitted[i] = append(out, pieces[i]), true
		if p := parent[i]; p >= 0 {
			if pending[p]--; pending[p] == 0 && parent[p] >= 0 {
				ready = append(ready, p)
			}
		}
	}
	if len(out) < len(pieces) {
		// A parent cycle (a malformed request): what is left goes last,
		// in the order received.
		for i := range pieces {
			if !emitted[i] {
				out = append(out, pieces[i])
			}
		}
	}
	return out
}

func (s *Splitter) forward(td ptrace.Traces) error {
	raw, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return err
	}
	resp, err := s.client.Post("http://"+s.target+"/v1/traces", "application/x-protobuf", bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("splitter: forwarding to %s: %w", s.target, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("splitter: %s answered %s", s.target, resp.Status)
	}
	return nil
}

// SingleSpans cuts td into one Traces per span, each with a copy of its
// span's resource and scope.
func SingleSpans(td ptrace.Traces) []ptrace.Traces {
	var out []ptrace.Traces
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				one := ptrace.NewTraces()
				ors := one.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(ors.Resource())
				ors.SetSchemaUrl(rs.SchemaUrl())
				oss := ors.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(oss.Scope())
				oss.SetSchemaUrl(ss.SchemaUrl())
				ss.Spans().At(k).CopyTo(oss.Spans().AppendEmpty())
				out = append(out, one)
			}
		}
	}
	return out
}

// parents gives each single-span piece the index of its parent's piece, or
// -1 when the parent is not among them (a root, or a parent sent in another
// request).
func parents(pieces []ptrace.Traces) []int {
	type id struct {
		trace [16]byte
		span  [8]byte
	}
	index := map[id]int{}
	for i, p := range pieces {
		sp := p.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		index[id{sp.TraceID(), sp.SpanID()}] = i
	}
	out := make([]int, len(pieces))
	for i, p := range pieces {
		sp := p.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		out[i] = -1
		if j, ok := index[id{sp.TraceID(), sp.ParentSpanID()}]; ok && !sp.ParentSpanID().IsEmpty() && j != i {
			out[i] = j
		}
	}
	return out
}
