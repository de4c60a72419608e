package oauthredact

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/keyhost"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/metadatatest"
)

const cbURL = "https://app.example/cb?code=" + sTok + "&state=" + sTok2

func wantURL() string {
	return "https://app.example/cb?code=" + fp(sTok) + "&state=" + fp(sTok2)
}

// TestTracePositions puts the same secrets in every position of a span.
func TestTracePositions(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("oauth.client_secret", sTok)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().Attributes().PutStr("url.full", cbURL)
	span := ss.Spans().AppendEmpty()
	span.SetName("GET " + cbURL)
	span.Attributes().PutStr("oauth.code", sTok)
	span.Attributes().PutStr("state", "active")
	hdr := span.Attributes().PutEmptySlice("http.request.header.authorization")
	hdr.AppendEmpty().SetStr("Bearer " + sJWT)
	nested := span.Attributes().PutEmptyMap("request")
	nested.PutEmptyMap("headers").PutStr("Cookie", "sid="+sTok2)
	nested.PutEmptySlice("urls").AppendEmpty().SetStr(cbURL)
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage("token endpoint said: " + `{"refresh_token":"` + sTok + `"}`)
	ev := span.Events().AppendEmpty()
	ev.SetName("redirect " + cbURL)
	ev.Attributes().PutStr("exception.message", "invalid grant for access_token="+sTok)
	link := span.Links().AppendEmpty()
	link.Attributes().PutStr("id_token", sJWT)

	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	cfg := testConfig()
	cfg.Summary = true
	r, err := newRedactor(cfg, metadatatest.NewSettings(tt))
	require.NoError(t, err)
	_, err = r.processTraces(context.Background(), td)
	require.NoError(t, err)

	secrets := []string{sTok, sTok2, sJWT}
	equalNoLeak(t, fp(sTok), str(rs.Resource().Attributes(), "oauth.client_secret"), secrets...)
	equalNoLeak(t, wantURL(), str(ss.Scope().Attributes(), "url.full"), secrets...)
	equalNoLeak(t, "GET "+wantURL(), span.Name(), secrets...)
	equalNoLeak(t, fp(sTok), str(span.Attributes(), "oauth.code"), secrets...)
	equalNoLeak(t, "active", str(span.Attributes(), "state"))
	v, _ := span.Attributes().Get("http.request.header.authorization")
	equalNoLeak(t, "Bearer "+fp(sJWT), v.Slice().At(0).Str(), secrets...)
	req, _ := span.Attributes().Get("request")
	h, _ := req.Map().Get("headers")
	equalNoLeak(t, "sid="+fp(sTok2), str(h.Map(), "Cookie"), secrets...)
	u, _ := req.Map().Get("urls")
	equalNoLeak(t, wantURL(), u.Slice().At(0).Str(), secrets...)
	equalNoLeak(t, `token endpoint said: {"refresh_token":"`+fp(sTok)+`"}`, span.Status().Message(), secrets...)
	equalNoLeak(t, "redirect "+wantURL(), ev.Name(), secrets...)
	equalNoLeak(t, "invalid grant for access_token="+fp(sTok), str(ev.Attributes(), "exception.message"), secrets...)
	equalNoLeak(t, fp(sJWT), str(link.Attributes(), "id_token"), secrets...)

	// 2 name + 1 code + 1 authz + 1 cookie + 2 url + 1 status + 2 event name + 1 event attr + 1 link
	cnt, ok := span.Attributes().Get(contract.AttrRedactCount)
	require.True(t, ok)
	assert.EqualValues(t, 12, cnt.Int())

	want := map[string]int64{
		"resource.attributes": 1, "scope.attributes": 2, "span.name": 2,
		"span.attributes": 5, "span.status.message": 1, "span.event.name": 2,
		"span.event.attributes": 1, "span.link.attributes": 1,
	}
	var dps []metricdata.DataPoint[int64]
	for pos, n := range want {
		dps = append(dps, metricdata.DataPoint[int64]{
			Attributes: attribute.NewSet(attribute.String("signal", "traces"), attribute.String("position", pos)),
			Value:      n,
		})
	}
	metadatatest.AssertEqualProcessorOauthRedactRedactions(t, tt, dps, metricdatatest.IgnoreTimestamp())
}

func str(m pcommon.Map, k string) string {
	v, _ := m.Get(k)
	return v.Str()
}

func TestLogPositions(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("http.url", cbURL)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().Attributes().PutStr("token", sGH)
	strBody := sl.LogRecords().AppendEmpty()
	strBody.Body().SetStr("callback " + cbURL)
	strBody.SetEventName("oauth " + sJWT)
	strBody.Attributes().PutStr("refresh_token", sTok)

	mapBody := sl.LogRecords().AppendEmpty()
	m := mapBody.Body().SetEmptyMap()
	m.PutStr("msg", "refreshed")
	deep := m.PutEmptyMap("req").PutEmptyMap("body")
	deep.PutStr("refresh_token", sTok)
	deep.PutEmptySlice("list").AppendEmpty().SetEmptyMap().PutStr("oauth.state", sTok2)
	m.PutInt("client_secret", 123456789)

	sliceBody := sl.LogRecords().AppendEmpty()
	s := sliceBody.Body().SetEmptySlice()
	s.AppendEmpty().SetStr("Authorization: Bearer " + sTok)
	s.AppendEmpty().SetEmptySlice().AppendEmpty().SetStr(cbURL)

	r := newTestRedactor(t, testConfig())
	_, err := r.processLogs(context.Background(), ld)
	require.NoError(t, err)

	secrets := []string{sTok, sTok2, sJWT, sGH}
	equalNoLeak(t, wantURL(), str(rl.Resource().Attributes(), "http.url"), secrets...)
	equalNoLeak(t, fp(sGH), str(sl.Scope().Attributes(), "token"), secrets...)
	equalNoLeak(t, "callback "+wantURL(), strBody.Body().Str(), secrets...)
	equalNoLeak(t, "oauth "+fp(sJWT), strBody.EventName(), secrets...)
	equalNoLeak(t, fp(sTok), str(strBody.Attributes(), "refresh_token"), secrets...)
	equalNoLeak(t, fp(sTok), str(deep, "refresh_token"), secrets...)
	l, _ := deep.Get("list")
	equalNoLeak(t, fp(sTok2), str(l.Slice().At(0).Map(), "oauth.state"), secrets...)
	equalNoLeak(t, fp("123456789"), str(m, "client_secret"))
	equalNoLeak(t, "refreshed", str(m, "msg"))
	equalNoLeak(t, "Authorization: Bearer "+fp(sTok), s.At(0).Str(), secrets...)
	equalNoLeak(t, wantURL(), s.At(1).Slice().At(0).Str(), secrets...)
}

func TestMetricPositions(t *testing.T) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("oauth.access_token", sTok)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().Attributes().PutStr("url.full", cbURL)
	g := sm.Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
	g.Attributes().PutStr("oauth.code", sTok)
	g.Exemplars().AppendEmpty().FilteredAttributes().PutStr("http.target", "/cb?code="+sTok)
	su := sm.Metrics().AppendEmpty().SetEmptySum().DataPoints().AppendEmpty()
	su.Attributes().PutStr("authorization", "Bearer "+sTok)
	su.Exemplars().AppendEmpty().FilteredAttributes().PutStr("id_token", sJWT)
	h := sm.Metrics().AppendEmpty().SetEmptyHistogram().DataPoints().AppendEmpty()
	h.Attributes().PutStr("msg", "token "+sJWT)
	h.Exemplars().AppendEmpty().FilteredAttributes().PutStr("cookie", "sid="+sTok)
	e := sm.Metrics().AppendEmpty().SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	e.Attributes().PutStr("refresh_token", sTok)
	e.Exemplars().AppendEmpty().FilteredAttributes().PutStr("k", "key "+sAWS)
	sp := sm.Metrics().AppendEmpty().SetEmptySummary().DataPoints().AppendEmpty()
	sp.Attributes().PutStr("oauth.state", sTok2)

	r := newTestRedactor(t, testConfig())
	_, err := r.processMetrics(context.Background(), md)
	require.NoError(t, err)

	secrets := []string{sTok, sTok2, sJWT, sAWS}
	equalNoLeak(t, fp(sTok), str(rm.Resource().Attributes(), "oauth.access_token"), secrets...)
	equalNoLeak(t, wantURL(), str(sm.Scope().Attributes(), "url.full"), secrets...)
	equalNoLeak(t, fp(sTok), str(g.Attributes(), "oauth.code"), secrets...)
	equalNoLeak(t, "/cb?code="+fp(sTok), str(g.Exemplars().At(0).FilteredAttributes(), "http.target"), secrets...)
	equalNoLeak(t, "Bearer "+fp(sTok), str(su.Attributes(), "authorization"), secrets...)
	equalNoLeak(t, fp(sJWT), str(su.Exemplars().At(0).FilteredAttributes(), "id_token"), secrets...)
	equalNoLeak(t, "token "+fp(sJWT), str(h.Attributes(), "msg"), secrets...)
	equalNoLeak(t, "sid="+fp(sTok), str(h.Exemplars().At(0).FilteredAttributes(), "cookie"), secrets...)
	equalNoLeak(t, fp(sTok), str(e.Attributes(), "refresh_token"), secrets...)
	equalNoLeak(t, "key "+fp(sAWS), str(e.Exemplars().At(0).FilteredAttributes(), "k"), secrets...)
	equalNoLeak(t, fp(sTok2), str(sp.Attributes(), "oauth.state"), secrets...)
	_, ok := g.Attributes().Get(contract.AttrRedactCount)
	assert.False(t, ok, "data points never get the summary attribute")
}

// TestEchoAcrossBatch: a secret found under a key is also removed where the
// same value appears verbatim elsewhere in the batch, even earlier.
func TestEchoAcrossBatch(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	first := spans.AppendEmpty()
	first.SetName("refresh " + sTok)
	first.Status().SetMessage("refresh token " + sTok + " was revoked")
	second := spans.AppendEmpty()
	second.Attributes().PutStr("oauth.refresh_token", sTok)
	second.Attributes().PutStr("short", "oauth.state")

	r := newTestRedactor(t, testConfig())
	_, err := r.processTraces(context.Background(), td)
	require.NoError(t, err)
	equalNoLeak(t, "refresh "+fp(sTok), first.Name(), sTok)
	equalNoLeak(t, "refresh token "+fp(sTok)+" was revoked", first.Status().Message(), sTok)
	equalNoLeak(t, fp(sTok), str(second.Attributes(), "oauth.refresh_token"), sTok)

	// the next batch does not remember the secret
	td2 := ptrace.NewTraces()
	s := td2.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("x " + sTok)
	_, err = r.processTraces(context.Background(), td2)
	require.NoError(t, err)
	assert.True(t, s.Name() == "x "+sTok, "the next batch must not know the secret") // never printed
}

// TestCookieEcho: a session cookie echoed in another record of the batch is
// replaced there too; a cookie value that is a word or a number is not spread.
func TestCookieEcho(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	spans.AppendEmpty().Attributes().PutStr("http.request.header.cookie", "sid="+sTok+"; seen=1700000000; theme=darkmode")
	other := spans.AppendEmpty()
	other.SetName("session " + sTok + " expired at 1700000000 (darkmode)")
	r := newTestRedactor(t, testConfig())
	_, err := r.processTraces(context.Background(), td)
	require.NoError(t, err)
	equalNoLeak(t, "session "+fp(sTok)+" expired at 1700000000 (darkmode)", other.Name(), sTok)
}

func TestRemoveAction(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Action = ActionRemove
	r := newTestRedactor(t, cfg)
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr("oauth.code", sTok)
	span.Attributes().PutStr("url.full", cbURL)
	span.Attributes().PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + sJWT)
	span.Attributes().PutStr("http.method", "GET")
	span.SetName("echo " + sTok)
	_, err := r.processTraces(context.Background(), td)
	require.NoError(t, err)
	_, ok := span.Attributes().Get("oauth.code")
	assert.False(t, ok)
	_, ok = span.Attributes().Get("http.request.header.authorization")
	assert.False(t, ok)
	equalNoLeak(t, "https://app.example/cb?code=[REDACTED]&state=[REDACTED]", str(span.Attributes(), "url.full"), sTok, sTok2)
	equalNoLeak(t, "echo [REDACTED]", span.Name(), sTok)
	equalNoLeak(t, "GET", str(span.Attributes(), "http.method"))
}

// TestCleanSpanZeroAlloc: a span without a secret costs no allocation.
func TestCleanSpanZeroAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "web")
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	fillCleanSpan(span, 7)
	before, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	r := newTestRedactor(t, testConfig())
	ctx := context.Background()
	_, _ = r.processTraces(ctx, td)
	allocs := testing.AllocsPerRun(200, func() { _, _ = r.processTraces(ctx, td) })
	assert.Zero(t, allocs)
	after, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a secret-free record comes out byte-identical")
}

// TestNothingLogged: even at debug level, processing secrets writes no log
// line (so none can hold a secret).
func TestNothingLogged(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	set := testSettings()
	set.Logger = zap.New(core)
	ctx := context.Background()
	for _, action := range []string{ActionFingerprint, ActionMask, ActionRemove} {
		cfg := testConfig()
		// the key as a collector gives it: from the extension (the
		// deprecated fingerprint_key logs its deprecation at start)
		cfg.FingerprintKey, cfg.Fingerprint = "", &keyhost.ID
		cfg.Action = action
		cfg.Summary = true
		p, err := NewFactory().CreateTraces(ctx, set, cfg, new(consumertest.TracesSink))
		require.NoError(t, err)
		require.NoError(t, p.Start(ctx, keyhost.New(t, testkey.Key, nil, nil)))
		td, secrets := oauthBatch(9, 30)
		require.NoError(t, p.ConsumeTraces(ctx, td))
		require.NoError(t, p.Shutdown(ctx))
		for _, e := range logs.All() {
			noLeak(t, "log line", []byte(e.Message+fmt.Sprint(e.ContextMap())), append(secrets, testkey.Key)...)
		}
	}
	assert.Zero(t, logs.Len(), "the processor logs nothing per record")
}

// TestConcurrentBatches: one processor, batches from several goroutines (as
// from several receivers); run with -race. Each batch gets exactly its own
// fingerprints.
func TestConcurrentBatches(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	ctx := context.Background()
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 20 {
				td, secrets := oauthBatch(uint64(g*100+i), 9)
				_, err := r.processTraces(ctx, td)
				assert.NoError(t, err)
				b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
				assert.NoError(t, err)
				noLeak(t, "concurrent batch", b, secrets...)
				for _, s := range secrets {
					assert.True(t, bytes.Contains(b, []byte(fp(s))))
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// TestValueShapes: secrets in value shapes other than strings under
// ordinary keys: byte arrays, maps under an allowed key or a cookie header.
func TestValueShapes(t *testing.T) {
	const sessionID = "Qm4rT8wX2z" + "B6nV1cK9pL"
	for _, action := range []string{ActionFingerprint, ActionMask, ActionRemove} {
		t.Run(action, func(t *testing.T) {
			cfg := testConfig()
			cfg.Action = action
			cfg.AllowKeys = []string{"debug.dump"}
			r := newTestRedactor(t, cfg)
			ld := plog.NewLogs()
			lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			attrs := lr.Attributes()
			attrs.PutEmptyBytes("oauth.refresh_token").FromRaw([]byte(sTok))
			attrs.PutEmptyBytes("raw.header").FromRaw([]byte("Authorization: Bearer " + sTok2))
			attrs.PutEmptyMap("debug.dump").PutStr("access_token", sJWT)
			attrs.PutEmptyMap("http.request.header.cookie").PutStr("sid", sessionID)
			lr.Body().SetEmptyBytes().FromRaw([]byte("?code=" + sAWS))
			_, err := r.processLogs(context.Background(), ld)
			require.NoError(t, err)
			b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
			require.NoError(t, err)
			noLeak(t, action, b, sTok, sTok2, sJWT, sessionID, sAWS)
		})
	}
}

// TestEchoInFingerprintLookalike: a 25-byte string that starts with "fp:"
// is not a fingerprint for the echo search; a secret inside it is replaced,
// in traces (searched record by record) and in metrics (walked again).
func TestEchoInFingerprintLookalike(t *testing.T) {
	const secret = "abcdEFGH1234"
	lookalike := "fp:" + secret + " yyyyyyyyy"
	require.Len(t, lookalike, contract.FingerprintLen)
	r := newTestRedactor(t, testConfig())

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	spans.AppendEmpty().Attributes().PutStr("url.full", "https://x.example/cb?access_token="+secret)
	other := spans.AppendEmpty()
	other.Attributes().PutStr("note", lookalike)
	_, err := r.processTraces(context.Background(), td)
	require.NoError(t, err)
	equalNoLeak(t, "fp:"+fp(secret)+" yyyyyyyyy", str(other.Attributes(), "note"), secret)

	md := pmetric.NewMetrics()
	dps := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints()
	dps.AppendEmpty().Attributes().PutStr("url.full", "https://x.example/cb?access_token="+secret)
	dp := dps.AppendEmpty()
	dp.Attributes().PutStr("note", lookalike)
	_, err = r.processMetrics(context.Background(), md)
	require.NoError(t, err)
	equalNoLeak(t, "fp:"+fp(secret)+" yyyyyyyyy", str(dp.Attributes(), "note"), secret)
}

// TestNonASCIISecretKeys: configured keys are compared case-insensitively
// beyond ASCII, short or long.
func TestNonASCIISecretKeys(t *testing.T) {
	cfg := testConfig()
	long := strings.Repeat("x", 64) + "_TOKEN_É"
	cfg.SecretKeys = []string{"Jeton_É", long}
	r := newTestRedactor(t, cfg)
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr("JETON_é", "plain-value-1")
	span.Attributes().PutStr(strings.ToUpper(long), "plain-value-2")
	_, err := r.processTraces(context.Background(), td)
	require.NoError(t, err)
	equalNoLeak(t, fp("plain-value-1"), str(span.Attributes(), "JETON_é"), "plain-value-1")
	equalNoLeak(t, fp("plain-value-2"), str(span.Attributes(), strings.ToUpper(long)), "plain-value-2")
}
