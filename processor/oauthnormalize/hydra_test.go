package oauthnormalize

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadatatest"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/hydra"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity"
)

// The Hydra story (testdata/hydra, README.md there): a real Hydra v2.3.0's
// export requests, in the order it sent them, with every secret replaced
// by a synthetic value of the same shape (capture.jsonl, one OTLP JSON
// request per line), and the contract attributes each request's root must
// carry (want.json; a root it does not list must carry none).

type hydraWant struct {
	ID      string            `json:"id"`
	Request string            `json:"request"` // path and HTTP status, for the reader
	Trace   string            `json:"trace"`
	Span    string            `json:"span"`
	Want    map[string]string `json:"want"`
}

// loadHydraCapture returns the capture's export requests, as Hydra sent them.
func loadHydraCapture(t testing.TB) []ptrace.Traces {
	t.Helper()
	b, err := os.ReadFile("testdata/hydra/capture.jsonl")
	require.NoError(t, err)
	var out []ptrace.Traces
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(sc.Bytes())
		require.NoError(t, err)
		out = append(out, td)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// loadHydraWant returns want.json by "trace/span" of the root.
func loadHydraWant(t testing.TB) ([]hydraWant, map[string]map[string]string) {
	t.Helper()
	b, err := os.ReadFile("testdata/hydra/want.json")
	require.NoError(t, err)
	var list []hydraWant
	require.NoError(t, json.Unmarshal(b, &list))
	byKey := map[string]map[string]string{}
	for _, w := range list {
		byKey[w.Trace+"/"+w.Span] = w.Want
	}
	return list, byKey
}

// mergeBatches puts every span of batches into one batch (a copy).
func mergeBatches(batches []ptrace.Traces) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, b := range batches {
		c := ptrace.NewTraces()
		b.CopyTo(c)
		c.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	return td
}

// rootRecords returns the contract attributes of every request root in
// batches, by "trace/span", and the number of spans.
func rootRecords(t testing.TB, batches []ptrace.Traces) (map[string]map[string]string, int) {
	t.Helper()
	out := map[string]map[string]string{}
	var spans int
	for _, td := range batches {
		vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
			spans++
			if !vocab.IsRequestRoot(s) {
				return
			}
			key := s.TraceID().String() + "/" + s.SpanID().String()
			_, dup := out[key]
			require.False(t, dup, "a root came out twice")
			out[key] = contractAttrs(s.Attributes())
		})
	}
	return out, spans
}

// wantAll is want.json over every root of the capture: empty for a root it
// does not list.
func wantAll(t testing.TB, capture []ptrace.Traces) map[string]map[string]string {
	_, byKey := loadHydraWant(t)
	roots, _ := rootRecords(t, capture)
	out := map[string]map[string]string{}
	for k := range roots {
		w := byKey[k]
		if w == nil {
			w = map[string]string{}
		}
		out[k] = w
	}
	for k := range byKey {
		require.Contains(t, out, k, "want.json names a root the capture lacks")
	}
	return out
}

func TestHydraStoryGolden(t *testing.T) {
	capture := loadHydraCapture(t)
	want := wantAll(t, capture)
	n, tt := newTestNormalizer(t, nil)
	td := mergeBatches(capture)
	n.traces(t, td)
	got, _ := rootRecords(t, []ptrace.Traces{td})
	list, _ := loadHydraWant(t)
	for _, w := range list {
		assert.Equal(t, w.Want, got[w.Trace+"/"+w.Span], w.ID)
	}
	assert.Equal(t, want, got)

	reported := map[string]int{}
	flows := map[string]int{}
	ops := map[string]int{}
	pkce := map[string]int{}
	for _, a := range got {
		if e := a[contract.AttrReportedEventType]; e != "" {
			reported[e]++
		}
		if a[contract.AttrOperation] == contract.OpAuthorize || a[contract.AttrGrantType] == contract.GrantAuthorizationCode {
			flows[a[contract.AttrStatus]]++
		}
		if r := a[contract.AttrPKCEReason]; r != "" {
			pkce[r]++
		}
		if op := a[contract.AttrOperation]; op != "" {
			ops[op+"/"+a[contract.AttrStatus]]++
		}
	}
	// The driver's ground truth (internal/testutil/hydra RunAll): one
	// reuse, one code replay, one PKCE mismatch (and two PKCE checks
	// passed); three flows initiated
	// (of nine visits), two exchanged, the replay and the wrong verifier
	// failed at the token endpoint.
	assert.Equal(t, map[string]int{contract.EventTokenReuse: 1, contract.EventCodeInjection: 1}, reported)
	assert.Equal(t, map[string]int{contract.ReasonValid: 2, contract.ReasonInvalidHash: 1}, pkce,
		"both exchanges passed their PKCE check; the replay failed before it")
	assert.Equal(t, map[string]int{"initiated": 3, "success": 2, "failure": 2}, flows)
	assert.Equal(t, map[string]int{
		"discovery/success": 1, "register/success": 2, "authorize/initiated": 3,
		"token/success": 3, "token/failure": 2, "refresh/success": 2, "refresh/reuse_detected": 1,
		"introspect/success": 1, "revoke/success": 1,
	}, ops)

	// Mapped: every record and the six return visits (no record).
	var records int64
	for _, a := range got {
		if len(a) > 0 {
			records++
		}
	}
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsMapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "hydra")), Value: records + 6,
	}}, metricdatatest.IgnoreTimestamp())
	_, err := tt.GetMetric("otelcol_processor_oauth_normalize_records_unmapped")
	assert.Error(t, err, "nothing unmapped")
}

// hydraCut cuts the capture's spans, in the order Hydra sent them
// (children before their root), into batches: at random points, or one
// span per batch. Each span keeps its resource and scope.
func hydraCut(capture []ptrace.Traces, rng *rand.Rand, perSpan bool) []ptrace.Traces {
	var out []ptrace.Traces
	cur := ptrace.NewTraces()
	eachCaptured(capture, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, s ptrace.Span) {
		if cur.SpanCount() > 0 && (perSpan || rng.Intn(4) == 0) {
			out = append(out, cur)
			cur = ptrace.NewTraces()
		}
		appendCopy(cur, rs, ss, s)
	})
	return append(out, cur)
}

// eachCaptured calls f with every span of the capture, in order, with its
// resource and scope.
func eachCaptured(capture []ptrace.Traces, f func(ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span)) {
	for _, td := range capture {
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				spans := sss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					f(rss.At(i), sss.At(j), spans.At(k))
				}
			}
		}
	}
}

// appendCopy appends a copy of s to td under copies of its resource and
// scope.
func appendCopy(td ptrace.Traces, rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, s ptrace.Span) {
	to := td.ResourceSpans().AppendEmpty()
	rs.Resource().CopyTo(to.Resource())
	toScope := to.ScopeSpans().AppendEmpty()
	ss.Scope().CopyTo(toScope.Scope())
	s.CopyTo(toScope.Spans().AppendEmpty())
}

// TestHydraBatchCuts: the capture as Hydra sent it, cut at random, and cut
// into single-span batches children first, through the processor (its
// join buffer holds a request's spans until its root comes) gives exactly
// the records of the story in one batch, and every span once.
func TestHydraBatchCuts(t *testing.T) {
	capture := loadHydraCapture(t)
	want := wantAll(t, capture)
	_, spans := rootRecords(t, capture)
	run := func(batches []ptrace.Traces) (map[string]map[string]string, *componenttest.Telemetry) {
		sink := new(consumertest.TracesSink)
		p, tt, _ := newTestProcessor(t, sink, nil)
		for _, td := range batches {
			require.NoError(t, p.ConsumeTraces(context.Background(), td))
		}
		got, n := rootRecords(t, sink.AllTraces())
		require.Equal(t, spans, n, "every span once, none held once every root came")
		return got, tt
	}
	copies := func() []ptrace.Traces {
		out := make([]ptrace.Traces, len(capture))
		for i, td := range capture {
			out[i] = ptrace.NewTraces()
			td.CopyTo(out[i])
		}
		return out
	}
	got, tt := run(copies())
	assert.Equal(t, want, got, "as captured")
	_, err := tt.GetMetric("otelcol_processor_oauth_normalize_records_unmapped")
	assert.Error(t, err, "as captured: nothing unmapped")
	// Traces Hydra claims for the join: in single-span batches, children
	// first, each is held until its root comes.
	claimed := map[pcommon.TraceID]bool{}
	for _, td := range capture {
		vocab.EachSpan(td, func(s ptrace.Span, res pcommon.Map) {
			if hydra.Claims(s, res) {
				claimed[s.TraceID()] = true
			}
		})
	}
	require.Greater(t, len(claimed), 20)
	for seed := int64(0); seed <= 10; seed++ {
		got, tt := run(hydraCut(capture, rand.New(rand.NewSource(seed)), seed == 0))
		assert.Equal(t, want, got, "seed %d", seed)
		_, err := tt.GetMetric("otelcol_processor_oauth_normalize_records_unmapped")
		assert.Error(t, err, "seed %d: nothing unmapped", seed)
		if seed == 0 {
			metadatatest.AssertEqualProcessorOauthNormalizeJoinReleases(t, tt, []metricdata.DataPoint[int64]{{
				Attributes: attribute.NewSet(attribute.String("reason", "root")), Value: int64(len(claimed)),
			}}, metricdatatest.IgnoreTimestamp())
		}
	}
}

// splitRequest copies the spans of w's trace out of the capture: its root
// alone, and every other span (each under a copy of its resource and scope).
func splitRequest(capture []ptrace.Traces, w hydraWant) (children, root ptrace.Traces) {
	children, root = ptrace.NewTraces(), ptrace.NewTraces()
	eachCaptured(capture, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, s ptrace.Span) {
		switch {
		case s.TraceID().String() != w.Trace:
		case s.SpanID().String() == w.Span:
			appendCopy(root, rs, ss, s)
		default:
			appendCopy(children, rs, ss, s)
		}
	})
	return children, root
}

// wantByID returns the request of want.json with that id.
func wantByID(t testing.TB, id string) hydraWant {
	list, _ := loadHydraWant(t)
	for _, w := range list {
		if w.ID == id {
			return w
		}
	}
	t.Fatalf("no request %q in want.json", id)
	return hydraWant{}
}

// TestHydraUnmappedReasons: an authorization request's root without its
// children cannot say which visit it was (children_not_in_batch); a
// request whose presented signature is not a string is not mapped
// (wrong_type). Neither writes anything.
func TestHydraUnmappedReasons(t *testing.T) {
	capture := loadHydraCapture(t)
	n, tt := newTestNormalizer(t, nil)
	_, auth := splitRequest(capture, wantByID(t, "A-auth-request"))
	n.traces(t, auth)
	children, root := splitRequest(capture, wantByID(t, "A-refresh-1"))
	vocab.EachSpan(children, func(s ptrace.Span, _ pcommon.Map) {
		if s.Name() == contract.HydraSpanGetRefreshTokenSession {
			s.Attributes().PutInt(contract.AttrHydraRefreshTokenSignature, 42)
		}
	})
	root.ResourceSpans().MoveAndAppendTo(children.ResourceSpans())
	n.traces(t, children)
	for _, td := range []ptrace.Traces{auth, children} {
		vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
			assert.Empty(t, contractAttrs(s.Attributes()), s.Name())
		})
	}
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsUnmapped(t, tt, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("vocabulary", "hydra"), attribute.String("reason", "children_not_in_batch")), Value: 1},
		{Attributes: attribute.NewSet(attribute.String("vocabulary", "hydra"), attribute.String("reason", "wrong_type")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
}

// TestHydraRootNotInBatch: a request's children without their root (the
// join buffer's timeout) are counted once per request as root_not_in_batch
// and nothing is written; the root alone then maps what it can.
func TestHydraRootNotInBatch(t *testing.T) {
	capture := loadHydraCapture(t)
	list, _ := loadHydraWant(t)
	var reuse hydraWant
	for _, w := range list {
		if w.Want[contract.AttrReportedEventType] == contract.EventTokenReuse {
			reuse = w
		}
	}
	require.NotEmpty(t, reuse.ID)
	children, root := splitRequest(capture, reuse)
	require.Positive(t, children.SpanCount())
	n, tt := newTestNormalizer(t, nil)
	n.traces(t, children)
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsUnmapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "hydra"), attribute.String("reason", "root_not_in_batch")),
		Value:      1,
	}}, metricdatatest.IgnoreTimestamp())
	vocab.EachSpan(children, func(s ptrace.Span, _ pcommon.Map) {
		assert.Empty(t, contractAttrs(s.Attributes()), s.Name())
	})

	n.traces(t, root)
	got, _ := rootRecords(t, []ptrace.Traces{root})
	assert.Equal(t, map[string]string{
		"oauth.operation": "token", "oauth.side": "server", "oauth.provider": "hydra", "oauth.status": "failure",
	}, got[reuse.Trace+"/"+reuse.Span], "the root alone: a failed token request, no finding")
}

// TestHydraStoryRedacted runs the mapped story through oauth_redact: no
// token signature of the capture survives, and the presented refresh
// token is the same fingerprint on the record as on the span that named it.
func TestHydraStoryRedacted(t *testing.T) {
	capture := loadHydraCapture(t)
	td := mergeBatches(capture)
	var sigs []string
	vocab.EachSpan(td, func(s ptrace.Span, _ pcommon.Map) {
		for _, k := range contract.TokenIdentifierKeys {
			if v, ok := s.Attributes().Get(k); ok {
				sigs = append(sigs, v.Str())
			}
		}
	})
	require.NotEmpty(t, sigs)
	n, _ := newTestNormalizer(t, nil)
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

	out, err := (&ptrace.JSONMarshaler{}).MarshalTraces(sink.AllTraces()[0])
	require.NoError(t, err)
	for _, sig := range sigs {
		if strings.Contains(string(out), sig) {
			t.Fatal("a token signature of the capture reached the output")
		}
	}
	presented := map[string]string{} // trace → GetRefreshTokenSession's fingerprint
	records := map[string]string{}   // trace → the record's oauth.refresh_token
	vocab.EachSpan(sink.AllTraces()[0], func(s ptrace.Span, _ pcommon.Map) {
		if s.Name() == contract.HydraSpanGetRefreshTokenSession {
			v, _ := s.Attributes().Get(contract.AttrHydraRefreshTokenSignature)
			presented[s.TraceID().String()] = v.Str()
		}
		if v, ok := s.Attributes().Get(contract.AttrRefreshToken); ok {
			records[s.TraceID().String()] = v.Str()
		}
	})
	assert.Len(t, records, 3, "two refreshes and the reuse")
	for trace, fp := range records {
		assert.True(t, strings.HasPrefix(fp, "fp:"), fp)
		assert.Equal(t, presented[trace], fp)
	}
}

// TestHydraStoryFindings runs the mapped story through oauth_redact and
// oauth_security (their factories, the test key): exactly one token_reuse,
// on the reuse (Hydra's verdict and the fingerprint correlation of the
// presented signature are one incident), and one code_injection, on the
// replay; no other finding.
func TestHydraStoryFindings(t *testing.T) {
	td := mergeBatches(loadHydraCapture(t))
	n, _ := newTestNormalizer(t, nil)
	n.traces(t, td)

	sink := new(consumertest.TracesSink)
	sf := oauthsecurity.NewFactory()
	scfg := sf.CreateDefaultConfig().(*oauthsecurity.Config)
	scfg.FingerprintKey = testkey.Key
	security, err := sf.CreateTraces(context.Background(), processortest.NewNopSettings(sf.Type()), scfg, sink)
	require.NoError(t, err)
	rf := oauthredact.NewFactory()
	rcfg := rf.CreateDefaultConfig().(*oauthredact.Config)
	rcfg.FingerprintKey = testkey.Key
	redact, err := rf.CreateTraces(context.Background(), processortest.NewNopSettings(rf.Type()), rcfg, security)
	require.NoError(t, err)
	for _, p := range []interface {
		Start(context.Context, component.Host) error
		Shutdown(context.Context) error
	}{security, redact} {
		require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
		t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	}
	require.NoError(t, redact.ConsumeTraces(context.Background(), td))

	got := map[string]string{}
	for _, out := range sink.AllTraces() {
		vocab.EachSpan(out, func(s ptrace.Span, _ pcommon.Map) {
			if v, ok := s.Attributes().Get(contract.AttrSecurityFindings); ok {
				got[s.TraceID().String()+"/"+s.SpanID().String()] = v.AsString()
			}
		})
	}
	reuse, replay := wantByID(t, "A-refresh-reuse"), wantByID(t, "B-code-replay")
	assert.Equal(t, map[string]string{
		reuse.Trace + "/" + reuse.Span:   `["token_reuse"]`,
		replay.Trace + "/" + replay.Span: `["code_injection"]`,
	}, got)
}

// TestHydraSwitch: on by default with provider hydra; switched off, the
// story's Hydra-only requests are left to generic HTTP, which counts every
// visit to the authorization endpoint as a flow.
func TestHydraSwitch(t *testing.T) {
	def := createDefaultConfig().(*Config).Vocabularies.Hydra
	assert.True(t, def.Enabled)
	assert.Equal(t, "hydra", def.Provider)

	n, tt := newTestNormalizer(t, func(c *Config) { c.Vocabularies.Hydra.Enabled = false })
	td := mergeBatches(loadHydraCapture(t))
	n.traces(t, td)
	got, _ := rootRecords(t, []ptrace.Traces{td})
	var initiated int
	for _, a := range got {
		assert.NotEqual(t, "hydra", a[contract.AttrProvider])
		if a[contract.AttrStatus] == contract.StatusInitiated {
			initiated++
		}
	}
	assert.Equal(t, 9, initiated, "generic HTTP: three per flow")
	_, err := tt.GetMetric("otelcol_processor_oauth_normalize_records_mapped")
	require.NoError(t, err)
}

// TestHydraConfig: the hydra section unmarshals; an empty provider writes
// none.
func TestHydraConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"vocabularies": map[string]any{"hydra": map[string]any{"provider": ""}},
	}).Unmarshal(cfg))
	assert.True(t, cfg.Vocabularies.Hydra.Enabled, "a setting not mentioned keeps its default")
	assert.Empty(t, cfg.Vocabularies.Hydra.Provider)

	n, _ := newTestNormalizer(t, func(c *Config) { *c = *cfg })
	td := mergeBatches(loadHydraCapture(t))
	n.traces(t, td)
	got, _ := rootRecords(t, []ptrace.Traces{td})
	w := wantByID(t, "A-refresh-reuse")
	assert.Equal(t, contract.EventTokenReuse, got[w.Trace+"/"+w.Span][contract.AttrReportedEventType])
	for k, a := range got {
		assert.NotContains(t, a, contract.AttrProvider, k)
	}
}
