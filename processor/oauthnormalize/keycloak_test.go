package oauthnormalize

import (
	"context"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/kcstory"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadatatest"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
)

// kcStory is testdata/keycloak/story.json: requests to Keycloak as its
// source says it traces them (README.md there names the source of each
// name), and the contract attributes each request's root must carry.
type (
	kcStory   = kcstory.Story
	kcRequest = kcstory.Request
)

func loadStory(t testing.TB) kcStory {
	t.Helper()
	s, err := kcstory.Load(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.NotEmpty(t, s.Requests)
	return s
}

// kcSpans are the spans of one request as Keycloak writes them: the SERVER
// span of the route, and from 26.3 the INTERNAL span of the JAX-RS method
// under it, which then carries the event and the ERROR status.
type kcSpans struct {
	root     ptrace.Span
	internal ptrace.Span // zero before 26.3
}

// build appends request i's spans to root and internal span slices (the
// same slice, or two for a cut between them), trace id {0xc, i}.
func build(r *kcRequest, i int, rootTo, internalTo ptrace.SpanSlice) kcSpans {
	at := rootTo.Len()
	r.Build(0, i, 0, rootTo, internalTo)
	out := kcSpans{root: rootTo.At(at)}
	if r.Layout == "internal" {
		out.internal = internalTo.At(internalTo.Len() - 1)
	}
	return out
}

func newKeycloakBatch(s kcStory) (ptrace.Traces, ptrace.SpanSlice) { return s.NewBatch() }

// contractAttrs are the contract attributes of a record.
func contractAttrs(m pcommon.Map) map[string]string {
	out := map[string]string{}
	m.Range(func(k string, v pcommon.Value) bool {
		if strings.HasPrefix(k, "oauth.") || k == contract.AttrEnduserID {
			out[k] = v.AsString()
		}
		return true
	})
	return out
}

func TestKeycloakStoryGolden(t *testing.T) {
	s := loadStory(t)
	n, tt := newTestNormalizer(t, nil)
	td, spans := newKeycloakBatch(s)
	built := make([]kcSpans, len(s.Requests))
	for i := range s.Requests {
		built[i] = build(&s.Requests[i], i, spans, spans)
	}
	n.traces(t, td)

	reported := map[string]int{}
	flows := map[string]int{}
	for i, r := range s.Requests {
		got := contractAttrs(built[i].root.Attributes())
		assert.Equal(t, r.Want, got, r.ID)
		if built[i].internal != (ptrace.Span{}) {
			assert.Empty(t, contractAttrs(built[i].internal.Attributes()), "%s: the INTERNAL span is not the record", r.ID)
		}
		if e := got[contract.AttrReportedEventType]; e != "" {
			reported[e]++
		}
		if got[contract.AttrOperation] == contract.OpAuthorize || got[contract.AttrGrantType] == contract.GrantAuthorizationCode {
			flows[got[contract.AttrStatus]]++
		}
	}
	// Exactly one reuse (not the stale token) and one code replay (not the
	// garbled code); no finding from the login errors.
	assert.Equal(t, map[string]int{contract.EventTokenReuse: 1, contract.EventCodeInjection: 1}, reported)
	// oauth_flows_total as section 4 derives it: three flows initiated, two
	// exchanged, and the PKCE failure, the replay and the garbled code failed
	// at the token endpoint; the refused authorization request failed too.
	assert.Equal(t, map[string]int{"initiated": 3, "success": 2, "failure": 4}, flows)

	var records int
	for _, r := range s.Requests {
		if len(r.Want) > 0 {
			records++
		}
	}
	assert.Equal(t, 19, records) // not the login pages, the three login errors, the logout
	// Every event is the Keycloak vocabulary's (the two login pages carry
	// none); generic HTTP maps nothing.
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsMapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "keycloak")),
		Value:      int64(len(s.Requests) - 2),
	}}, metricdatatest.IgnoreTimestamp())
}

// TestKeycloakBatchCuts delivers the story in random batches to the
// mapping alone (no join buffer: join_test.go has it). A cut between
// requests changes nothing. A cut between a 26.3 request's SERVER span and
// its INTERNAL span (the child first, the root in a later batch) leaves
// that request unmapped: the child counts root_not_in_batch, the root
// carries no contract attribute and, above all, no finding.
func TestKeycloakBatchCuts(t *testing.T) {
	s := loadStory(t)
	for seed := int64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewSource(seed))
		n, _ := newTestNormalizer(t, nil)
		var batches []ptrace.Traces
		var slices []ptrace.SpanSlice
		next := func() ptrace.SpanSlice {
			td, sp := newKeycloakBatch(s)
			batches, slices = append(batches, td), append(slices, sp)
			return sp
		}
		cur := next()
		built := make([]kcSpans, len(s.Requests))
		split := make([]bool, len(s.Requests))
		for i := range s.Requests {
			r := &s.Requests[i]
			if rng.Intn(3) == 0 {
				cur = next()
			}
			if r.Layout == "internal" && rng.Intn(4) == 0 {
				child := cur
				cur = next()
				built[i] = build(r, i, cur, child)
				split[i] = true
				continue
			}
			built[i] = build(r, i, cur, cur)
		}
		for _, td := range batches {
			n.traces(t, td)
		}
		for i, r := range s.Requests {
			got := contractAttrs(built[i].root.Attributes())
			if split[i] {
				assert.Empty(t, got, "seed %d %s: split from its event", seed, r.ID)
				continue
			}
			assert.Equal(t, r.Want, got, "seed %d %s", seed, r.ID)
		}
	}
}

// TestKeycloakStoryRedacted runs the story through oauth_redact (its
// factory, the test key): no token id of the story survives anywhere in
// the output, and the presented refresh token is the same fingerprint on
// the record as in the event that named it.
func TestKeycloakStoryRedacted(t *testing.T) {
	s := loadStory(t)
	n, _ := newTestNormalizer(t, nil)
	td, spans := newKeycloakBatch(s)
	for i := range s.Requests {
		build(&s.Requests[i], i, spans, spans)
	}
	n.traces(t, td)

	f := oauthredact.NewFactory()
	cfg := f.CreateDefaultConfig().(*oauthredact.Config)
	cfg.FingerprintKey = testkey.Key
	sink := new(consumertest.TracesSink)
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	require.NoError(t, p.ConsumeTraces(context.Background(), td))

	var ids []string
	for _, r := range s.Requests {
		if r.Event == nil {
			continue
		}
		for _, k := range contract.TokenIdentifierKeys {
			if v, ok := r.Event.Attributes[k]; ok {
				ids = append(ids, v)
			}
		}
	}
	require.NotEmpty(t, ids)
	out, err := (&ptrace.JSONMarshaler{}).MarshalTraces(sink.AllTraces()[0])
	require.NoError(t, err)
	for _, id := range ids {
		if strings.Contains(string(out), id) {
			t.Fatalf("a raw token id of the story reached the output")
		}
	}

	outSpans := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	var checked int
	for i := 0; i < outSpans.Len(); i++ {
		sp := outSpans.At(i)
		rt, ok := sp.Attributes().Get(contract.AttrRefreshToken)
		if !ok {
			continue
		}
		evs := findEventSpan(outSpans, sp).Events()
		ev, _ := evs.At(0).Attributes().Get(contract.AttrKeycloakRefreshTokenID)
		assert.Equal(t, ev.Str(), rt.Str())
		assert.True(t, strings.HasPrefix(rt.Str(), "fp:"))
		checked++
	}
	assert.Equal(t, 4, checked) // two refreshes, the reuse, the stale token
}

// findEventSpan returns the span of root's request that carries its event.
func findEventSpan(spans ptrace.SpanSlice, root ptrace.Span) ptrace.Span {
	for i := 0; i < spans.Len(); i++ {
		if sp := spans.At(i); sp.ParentSpanID() == root.SpanID() && sp.TraceID() == root.TraceID() {
			return sp
		}
	}
	return root
}

// TestKeycloakSwitch: on by default with provider keycloak; switched off,
// the story passes through without a contract attribute.
func TestKeycloakSwitch(t *testing.T) {
	def := createDefaultConfig().(*Config).Vocabularies.Keycloak
	assert.True(t, def.Enabled)
	assert.Equal(t, "keycloak", def.Provider)

	s := loadStory(t)
	n, _ := newTestNormalizer(t, func(c *Config) { c.Vocabularies.Keycloak.Enabled = false })
	td, spans := newKeycloakBatch(s)
	for i := range s.Requests {
		build(&s.Requests[i], i, spans, spans)
	}
	n.traces(t, td)
	for i := 0; i < spans.Len(); i++ {
		assert.Empty(t, contractAttrs(spans.At(i).Attributes()), spans.At(i).Name())
	}
}
