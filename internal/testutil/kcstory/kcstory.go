// Package kcstory loads the Keycloak story fixture
// (processor/oauthnormalize/testdata/keycloak/story.json: requests to a
// Keycloak realm as Keycloak's source says it traces them, and the
// contract attributes each request's root must carry; its README names the
// Keycloak source of every name) and builds its spans, for tests outside
// the processor's package.
package kcstory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Path is the fixture, relative to the repository root.
const Path = "processor/oauthnormalize/testdata/keycloak/story.json"

// Story is the fixture.
type Story struct {
	Resource map[string]string `json:"resource"`
	Requests []Request         `json:"requests"`
}

// Request is one request: its SERVER span, from 26.3 (Layout "internal")
// the INTERNAL span of the JAX-RS method under it, and its event.
type Request struct {
	ID       string            `json:"id"`
	Method   string            `json:"method"`
	Route    string            `json:"route"`
	Layout   string            `json:"layout"`
	Internal string            `json:"internal"`
	Status   int               `json:"status"`
	Event    *Event            `json:"event"`
	Want     map[string]string `json:"want"`
}

// Event is a Keycloak span event.
type Event struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
}

// Load reads the fixture under the repository root.
func Load(root string) (Story, error) {
	var s Story
	b, err := os.ReadFile(filepath.Join(root, Path))
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// TraceID is the trace id Build gives request i (of story variant v).
func TraceID(v, i int) pcommon.TraceID { return pcommon.TraceID{0xc, byte(i), byte(v)} }

// Spans returns how many spans the story's requests have.
func (s *Story) Spans() int {
	var n int
	for _, r := range s.Requests {
		n++
		if r.Layout == "internal" {
			n++
		}
	}
	return n
}

// Build appends request i's SERVER span to rootTo and its INTERNAL span
// (26.3+) to internalTo; the event and, for *_ERROR, the ERROR status go on
// the INTERNAL span when there is one. start is the request's start time.
func (r *Request) Build(v, i int, start pcommon.Timestamp, rootTo, internalTo ptrace.SpanSlice) {
	root := rootTo.AppendEmpty()
	root.SetName(r.Method + " " + r.Route)
	root.SetKind(ptrace.SpanKindServer)
	root.SetTraceID(TraceID(v, i))
	root.SetSpanID(pcommon.SpanID{0xc, byte(i), 1})
	root.SetStartTimestamp(start)
	root.SetEndTimestamp(start + 20e6)
	a := root.Attributes()
	a.PutStr("http.request.method", r.Method)
	a.PutStr("http.route", r.Route)
	a.PutInt("http.response.status_code", int64(r.Status))
	carrier := root
	if r.Layout == "internal" {
		carrier = internalTo.AppendEmpty()
		carrier.SetName(r.Internal)
		carrier.SetKind(ptrace.SpanKindInternal)
		carrier.SetTraceID(root.TraceID())
		carrier.SetParentSpanID(root.SpanID())
		carrier.SetSpanID(pcommon.SpanID{0xc, byte(i), 2})
		carrier.SetStartTimestamp(start + 1e6)
		carrier.SetEndTimestamp(start + 19e6)
	}
	if r.Event == nil {
		return
	}
	ev := carrier.Events().AppendEmpty()
	ev.SetName(r.Event.Name)
	ev.SetTimestamp(start + 10e6)
	for k, val := range r.Event.Attributes {
		ev.Attributes().PutStr(k, val)
	}
	if strings.HasSuffix(r.Event.Name, "_ERROR") {
		carrier.Status().SetCode(ptrace.StatusCodeError)
	}
}

// NewBatch returns an empty batch under the story's resource, and the
// spans of its one scope.
func (s *Story) NewBatch() (ptrace.Traces, ptrace.SpanSlice) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	for k, v := range s.Resource {
		rs.Resource().Attributes().PutStr(k, v)
	}
	return td, rs.ScopeSpans().AppendEmpty().Spans()
}
