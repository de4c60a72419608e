// Package oauthgen is the testbed's OAuth load generator. It plays the
// labelled scenario of internal/oauthscenario (users, clients and
// providers through discovery, PKCE, authorize, callback, token, refresh
// rotation, revocation, with benign noise and injected attacks), shard after
// shard, and turns it into OTLP requests:
//
//   - every secret of the scenario becomes a raw, realistic secret (provider
//     token formats, JWTs, opaque codes), and more raw secrets are placed in
//     every position the telemetry contract lists (URLs, form and JSON text,
//     authorization, cookie and set-cookie headers, header slices, span
//     names, status messages, events, links, resource and scope attributes,
//     log bodies of every shape, metric data points and exemplars). Every
//     raw secret contains Marker, so a sink finds leaks with one search;
//   - the scenario's synthetic hours are compressed onto the real sending
//     time (the planned rate), so the collector's wall-clock based state
//     sees the same relations: concurrent refreshes inside the grace window,
//     replays far outside it;
//   - the ground truth (attacks that must be found, expected metric values,
//     records and secrets per position) is kept for exactly what was emitted.
//
// Everything is a pure function of the seed (and of Start and Rate for
// timestamps).
package oauthgen // import "github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
)

// Config shapes a generated stream.
type Config struct {
	// Seed makes the stream: the same seed gives the same records, secrets
	// and ground truth.
	Seed uint64 `json:"seed"`
	// UsersPerShard is the population of one scenario shard (default 2000).
	UsersPerShard int `json:"users_per_shard"`
	// AttackRate is the number of injected attacks per user (default 0.06:
	// 120 per 2000-user shard, ten of each of the scenario's 12 variants).
	AttackRate float64 `json:"attack_rate"`
	// Records stops the stream after the request that reaches it; 0 means
	// Shards decides.
	Records int `json:"records"`
	// Shards bounds the number of shards (0: unbounded when Records is set,
	// else 1).
	Shards int `json:"shards"`
	// BatchSize is the number of scenario records per request (default 500).
	BatchSize int `json:"batch_size"`
	// Rate is the planned rate in records per second. It only maps the
	// scenario's synthetic time onto real timestamps (default 10000).
	Rate float64 `json:"rate"`
	// Start is the real time of the first record (default: time.Now at New).
	Start time.Time `json:"start"`
	// GracePeriod is the collector's oauth_security reuse_grace_period, in
	// real time (default 10ms; the scenario's synthetic grace is scaled to it).
	GracePeriod time.Duration `json:"grace_period"`
	// MetricsEvery emits one app-metrics request (data points and exemplars
	// carrying secrets) after every MetricsEvery OAuth requests (default 20;
	// negative: never).
	MetricsEvery int `json:"metrics_every"`
	// NoCarriers leaves out the non-OAuth carrier records that put secrets in
	// resource and scope attributes, span names, links and log bodies.
	NoCarriers bool `json:"no_carriers"`
	// Traffic selects what is generated: "" the OAuth scenario above,
	// TrafficHydra what an Ory Hydra sends (hydra.go: traces only; Users,
	// Shards, MetricsEvery and NoCarriers do not apply, AttackRate is per
	// flow, BatchSize bounds the spans per request, at most 512).
	Traffic string `json:"traffic,omitempty"`
}

func (c *Config) defaults() {
	if c.UsersPerShard <= 0 {
		c.UsersPerShard = 2000
	}
	if c.AttackRate < 0 {
		c.AttackRate = 0
	} else if c.AttackRate == 0 {
		c.AttackRate = 0.06
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.Rate <= 0 {
		c.Rate = 10000
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.GracePeriod <= 0 {
		c.GracePeriod = 10 * time.Millisecond
	}
	if c.MetricsEvery == 0 {
		c.MetricsEvery = 20
	}
	if c.Records <= 0 && c.Shards <= 0 {
		c.Shards = 1
	}
}

// Signal of a request.
type Signal int

// Signals.
const (
	Traces Signal = iota
	Logs
	Metrics
)

func (s Signal) String() string {
	switch s {
	case Traces:
		return "traces"
	case Logs:
		return "logs"
	}
	return "metrics"
}

// Request is one OTLP export request of one signal.
type Request struct {
	Signal  Signal
	Traces  ptrace.Traces
	Logs    plog.Logs
	Metrics pmetric.Metrics
	// Records is the number of spans, log records or data points in it.
	Records int
}

// Generator emits the stream request by request.
type Generator struct {
	cfg     Config
	src     secretSource
	truth   *Truth
	shard   int
	sc      *scenario.Scenario
	pos     int       // next record of sc
	t0      time.Time // synthetic time of the shard's first record
	scale   float64   // synthetic per real duration in this shard
	real0   time.Time // real time of the shard's first record
	scaleEt float64   // scale estimate for the next shard
	nReq    int
	nRec    int
	done    bool
	attacks map[pcommon.TraceID][]scenario.Attack
	pending []Request
	hydra   *hydraGen
}

// New returns a generator.
func New(cfg Config) *Generator {
	cfg.defaults()
	g := &Generator{cfg: cfg, src: newSecretSource(cfg.Seed), truth: newTruth(cfg)}
	if cfg.Traffic == TrafficHydra {
		g.hydra = newHydraGen(&g.cfg, g.src, g.truth)
		g.truth.Shards = 1
	}
	return g
}

// Config is the configuration with its defaults applied.
func (g *Generator) Config() Config { return g.cfg }

// Pending is the number of requests generated (and in the truth) but not
// returned yet: the truth matches the returned requests when it is 0.
func (g *Generator) Pending() int { return len(g.pending) }

// Truth is the ground truth of everything generated so far: of everything
// Next has returned when Pending is 0.
func (g *Generator) Truth() *Truth { return g.truth }

// scenarioKey fingerprints the scenario's secrets internally; the generator
// replaces those fingerprints by raw secrets, so this key never reaches the
// collector.
func scenarioKey(seed uint64) string {
	return fmt.Sprintf("oauthgen-scenario-internal-key-%020d", seed)
}

func (g *Generator) nextShard() bool {
	if g.cfg.Shards > 0 && g.shard >= g.cfg.Shards {
		return false
	}
	users := g.cfg.UsersPerShard
	attacks := int(float64(users)*g.cfg.AttackRate + 0.5)
	seed := g.cfg.Seed*1_000_003 + uint64(g.shard)*0x9E3779B97F4A7C15 + 1
	synthStart := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if g.scaleEt == 0 {
		// About 24 records per user over about 10 synthetic hours.
		g.scaleEt = 10 * 3600 / (float64(users) * 24 / g.cfg.Rate)
	}
	var sc *scenario.Scenario
	var scale float64
	for range 3 {
		grace := time.Duration(float64(g.cfg.GracePeriod) * g.scaleEt)
		sc = scenario.Generate(scenario.Config{
			Seed: seed, Users: users, Attacks: attacks, Key: scenarioKey(g.cfg.Seed),
			Start: synthStart, GracePeriod: grace,
		})
		span := sc.Records[len(sc.Records)-1].Time.Sub(sc.Records[0].Time)
		scale = float64(span) / (float64(len(sc.Records)) / g.cfg.Rate * float64(time.Second))
		r := g.scaleEt / scale
		g.scaleEt = scale
		if r > 0.7 && r < 1.4 {
			break
		}
	}
	g.addLifecycle(sc, seed)
	span := sc.Records[len(sc.Records)-1].Time.Sub(sc.Records[0].Time)
	scale = float64(span) / (float64(len(sc.Records)) / g.cfg.Rate * float64(time.Second))
	g.sc, g.pos, g.scale = sc, 0, scale
	g.t0 = sc.Records[0].Time
	g.real0 = g.cfg.Start.Add(time.Duration(float64(g.nRec) / g.cfg.Rate * float64(time.Second)))
	g.attacks = map[pcommon.TraceID][]scenario.Attack{}
	for _, a := range sc.Attacks {
		g.attacks[a.TraceID] = append(g.attacks[a.TraceID], a)
	}
	g.shard++
	g.truth.Shards = g.shard
	return true
}

// addLifecycle adds what the shared scenario does not play: dynamic client
// registrations (RFC 7591, a few failing), the periodic cleanup of expired
// PKCE states, and the expiry of issued access tokens (expires_in on every
// successful token-endpoint response, see decorateSpan). None of it is an
// attack; all of it feeds the contract's metrics.
func (g *Generator) addLifecycle(sc *scenario.Scenario, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x11fec7c1e))
	first, last := sc.Records[0].Time, sc.Records[len(sc.Records)-1].Time
	id := func() (pcommon.TraceID, pcommon.SpanID) {
		var t pcommon.TraceID
		var sp pcommon.SpanID
		binary.LittleEndian.PutUint64(t[0:8], rng.Uint64()|1)
		binary.LittleEndian.PutUint64(t[8:16], rng.Uint64())
		binary.LittleEndian.PutUint64(sp[:], rng.Uint64()|1)
		return t, sp
	}
	var extra []scenario.Record
	for i := range max(g.cfg.UsersPerShard/25, 1) {
		tr, sp := id()
		at := first.Add(time.Duration(rng.Int64N(int64(2 * time.Hour))))
		client := fmt.Sprintf("dyn-client-%d-%d", g.shard, i)
		extra = append(extra, scenario.Record{Signal: scenario.Span, Time: at, TraceID: tr, SpanID: sp, Kind: ptrace.SpanKindServer,
			Service: "auth-server", Error: rng.IntN(10) == 0,
			Attrs: map[string]string{contract.AttrOperation: contract.OpRegister, contract.AttrClientID: client, contract.AttrSide: contract.SideServer}})
	}
	for at := first.Add(10 * time.Minute); at.Before(last); at = at.Add(10 * time.Minute) {
		extra = append(extra, scenario.Record{Signal: scenario.Log, Time: at, Service: "mcp-client",
			Attrs: map[string]string{contract.AttrOperation: contract.OpPKCECleanup, contract.AttrReason: contract.ReasonExpired,
				contract.AttrPKCECleanedCount: strconv.Itoa(1 + rng.IntN(5))}})
	}
	sc.Records = append(sc.Records, extra...)
	sort.SliceStable(sc.Records, func(i, j int) bool { return sc.Records[i].Time.Before(sc.Records[j].Time) })
}

// realTime maps a synthetic time of the current shard onto real time.
func (g *Generator) realTime(t time.Time) time.Time {
	return g.real0.Add(time.Duration(float64(t.Sub(g.t0)) / g.scale))
}

// Next returns the next request, or false at the end of the stream.
func (g *Generator) Next() (Request, bool) {
	if g.done {
		return Request{}, false
	}
	if g.hydra != nil {
		r, ok := g.hydra.next()
		g.done = !ok
		return r, ok
	}
	if g.cfg.Records > 0 && g.nRec >= g.cfg.Records && len(g.pending) == 0 {
		g.done = true
		return Request{}, false
	}
	if g.cfg.MetricsEvery > 0 && g.nReq > 0 && g.nReq%(g.cfg.MetricsEvery+1) == g.cfg.MetricsEvery {
		g.nReq++
		return g.metricsRequest(), true
	}
	if len(g.pending) > 0 {
		req := g.pending[0]
		g.pending = g.pending[1:]
		g.nReq++
		return req, true
	}
	if g.sc == nil || g.pos >= len(g.sc.Records) {
		if !g.nextShard() {
			g.done = true
			return Request{}, false
		}
	}
	// The next BatchSize records in time order, as one traces request and
	// one logs request (an app's SDK exports both signals of the same
	// moment separately).
	recs := g.sc.Records
	i := g.pos
	j := min(i+g.cfg.BatchSize, len(recs))
	g.pos = j
	var spans, logs []scenario.Record
	for _, r := range recs[i:j] {
		if r.Signal == scenario.Span {
			spans = append(spans, r)
		} else {
			logs = append(logs, r)
		}
	}
	if len(spans) > 0 {
		g.pending = append(g.pending, g.traces(spans))
	}
	if len(logs) > 0 {
		g.pending = append(g.pending, g.logs(logs))
	}
	g.nRec += j - i
	req := g.pending[0]
	g.pending = g.pending[1:]
	g.nReq++
	return req, true
}

// secretKind maps the scenario's secret attributes to secret kinds.
var secretKind = map[string]string{
	contract.AttrRefreshToken: KindRefresh,
	contract.AttrCode:         KindCode,
	contract.AttrState:        KindState,
	contract.AttrCodeVerifier: KindVerifier,
}

// rawAttrs returns the record's attributes with every fingerprint of the
// scenario replaced by its raw secret.
func (g *Generator) rawAttrs(r *scenario.Record) map[string]string {
	prov := r.Attrs[contract.AttrProvider]
	out := make(map[string]string, len(r.Attrs))
	for k, v := range r.Attrs {
		if kind, ok := secretKind[k]; ok && contract.IsFingerprint(v) {
			v = g.src.raw(kind, prov, v)
			g.truth.position("attribute:" + k)
		}
		out[k] = v
	}
	return out
}

// putSorted puts attributes in key order: map order would make the
// requests differ from run to run.
func putSorted(m pcommon.Map, attrs map[string]string) {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case contract.AttrPKCECleanedCount, contract.AttrTokenExpiresIn:
			if n, err := strconv.ParseInt(attrs[k], 10, 64); err == nil {
				m.PutInt(k, n)
				continue
			}
		}
		m.PutStr(k, attrs[k])
	}
}

// label returns a unique label for extra secrets of one record.
func (g *Generator) label(r *scenario.Record, what string) string {
	return fmt.Sprintf("%d/%x/%x/%s", g.shard, r.TraceID[:], r.SpanID[:], what)
}

func (g *Generator) noteRecord(r *scenario.Record, attrs map[string]string, isSpan bool, errStatus bool) {
	g.truth.record(r, attrs, isSpan, errStatus, g.attacks[r.TraceID])
}

func (g *Generator) traces(recs []scenario.Record) Request {
	td := ptrace.NewTraces()
	byService := map[string]ptrace.SpanSlice{}
	for idx := range recs {
		r := &recs[idx]
		spans, ok := byService[r.Service]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", r.Service)
			rs.Resource().Attributes().PutStr(contract.AttrClientID, "mcp-client")
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("oauthgen")
			spans = ss.Spans()
			byService[r.Service] = spans
		}
		attrs := g.rawAttrs(r)
		sp := spans.AppendEmpty()
		sp.SetName(attrs[contract.AttrOperation])
		sp.SetTraceID(r.TraceID)
		sp.SetSpanID(r.SpanID)
		sp.SetKind(r.Kind)
		end := g.realTime(r.Time)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-50 * time.Millisecond)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
		if r.Error {
			sp.Status().SetCode(ptrace.StatusCodeError)
		}
		m := sp.Attributes()
		m.EnsureCapacity(len(attrs) + 4)
		putSorted(m, attrs)
		g.decorateSpan(r, attrs, sp)
		g.noteRecord(r, attrs, true, r.Error)
	}
	n := len(recs)
	if !g.cfg.NoCarriers {
		g.carrierSpan(td, recs[0].TraceID)
		n++
	}
	g.truth.Spans += n
	g.truth.Requests++
	return Request{Signal: Traces, Traces: td, Records: n}
}

// decorateSpan adds the HTTP view of an OAuth span, with the same secrets
// (and some more) in URLs, form and JSON bodies, headers and events.
func (g *Generator) decorateSpan(r *scenario.Record, attrs map[string]string, sp ptrace.Span) {
	m := sp.Attributes()
	prov := attrs[contract.AttrProvider]
	op := attrs[contract.AttrOperation]
	code, state := attrs[contract.AttrCode], attrs[contract.AttrState]
	raw := func(s string) bool { return s != "" && !contract.IsFingerprint(s) && s != "[REDACTED]" }
	switch op {
	case contract.OpAuthorize:
		if raw(state) {
			m.PutStr("url.full", "https://idp.example.com/authorize?response_type=code&client_id=mcp-client&state="+url.QueryEscape(state)+"&code_challenge_method=S256")
			g.truth.position("url.full query")
		}
	case contract.OpCallback:
		if raw(code) && raw(state) {
			m.PutStr("url.full", "https://app.example.com/oauth/callback?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state)+"&iss="+url.QueryEscape(attrs[contract.AttrIss]))
			m.PutStr("http.target", "/oauth/callback#state="+url.QueryEscape(state))
			m.PutStr("url.query", "code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state))
			g.truth.position("url.query")
			g.truth.position("url.full query")
			g.truth.position("http.target fragment")
			sc := m.PutEmptySlice("http.response.header.set-cookie")
			sc.AppendEmpty().SetStr("session=" + g.src.raw(KindCookie, prov, g.label(r, "cookie")) + "; Path=/; HttpOnly; Secure")
			sc.AppendEmpty().SetStr("theme=dark; Path=/")
			g.truth.position("set-cookie header slice")
		}
	case contract.OpToken:
		if raw(code) {
			form := url.Values{}
			form.Set("grant_type", "authorization_code")
			form.Set("code", code)
			if v := attrs[contract.AttrCodeVerifier]; raw(v) {
				form.Set("code_verifier", v)
			}
			form.Set("client_id", "mcp-client")
			form.Set("client_secret", g.src.raw(KindClientSecret, prov, "client"))
			m.PutStr("http.request.body.content", form.Encode())
			g.truth.position("form body")
		}
		if r.Kind == ptrace.SpanKindServer && !r.Error {
			m.PutInt(contract.AttrTokenExpiresIn, 3600)
			ev := sp.Events().AppendEmpty()
			ev.SetName("tokens issued")
			ev.SetTimestamp(sp.EndTimestamp())
			ev.Attributes().PutStr("access_token", g.src.raw(KindAccess, prov, g.label(r, "at")))
			ev.Attributes().PutStr("id_token", g.src.raw(KindIDToken, prov, g.label(r, "id")))
			g.truth.position("span event attributes")
		}
	case contract.OpRegister:
		if !r.Error {
			m.PutStr("oauth.client_secret", g.src.raw(KindClientSecret, "", g.label(r, "registered")))
			g.truth.position("attribute:oauth.client_secret")
		}
	case contract.OpRefresh:
		rt := attrs[contract.AttrRefreshToken]
		if r.Kind == ptrace.SpanKindClient {
			m.PutStr("http.request.header.authorization", "DPoP "+g.src.raw(KindAccess, prov, g.label(r, "at")))
			m.PutStr(contract.AttrDPoPJTI, g.src.raw(KindDPoPJTI, prov, g.label(r, "jti")))
			g.truth.position("authorization header")
			g.truth.position("attribute:" + contract.AttrDPoPJTI)
			if raw(rt) {
				m.PutStr("http.request.body.content", `{"grant_type":"refresh_token","refresh_token":"`+rt+`","client_assertion":"`+g.src.raw(KindAssertion, prov, g.label(r, "assert"))+`"}`)
				g.truth.position("JSON body")
			}
		} else {
			m.PutStr("http.request.header.cookie", "theme=dark; session="+g.src.raw(KindCookie, prov, g.label(r, "cookie")))
			g.truth.position("cookie header")
			if !r.Error && attrs[contract.AttrStatus] == "" {
				m.PutInt(contract.AttrTokenExpiresIn, 3600)
			}
		}
	}
	if r.Error {
		sp.Status().SetMessage("upstream said 401 for Bearer " + g.src.raw(KindAccess, prov, g.label(r, "status")))
		g.truth.position("status message")
	}
}

// carrierSpan is a non-OAuth span of a legacy gateway that carries secrets
// in the positions OAuth records do not use.
func (g *Generator) carrierSpan(td ptrace.Traces, link pcommon.TraceID) {
	n := g.nReq
	l := func(what string) string { return fmt.Sprintf("carrier/%d/%d/%s", g.shard, n, what) }
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", "legacy-gateway")
	res.PutStr("http.request.header.authorization", "Bearer "+g.src.raw(KindPAT, "", l("res")))
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("legacy")
	ss.Scope().Attributes().PutStr("debug.last_token", g.src.raw(KindIDToken, "", l("scope")))
	sp := ss.Spans().AppendEmpty()
	sp.SetName("GET /api/v1/items?access_token=" + g.src.raw(KindAccess, "authplane", l("name")))
	var tid pcommon.TraceID
	copy(tid[:], link[:])
	tid[15] ^= 0xA5
	sp.SetTraceID(tid)
	sp.SetSpanID(pcommon.SpanID{0xCA, byte(n), byte(n >> 8), byte(n >> 16), byte(g.shard), 1, 2, 3})
	sp.SetKind(ptrace.SpanKindServer)
	now := g.realTime(g.sc.Records[max(g.pos-1, 0)].Time)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	sp.Status().SetCode(ptrace.StatusCodeError)
	sp.Status().SetMessage("token rejected: " + g.src.raw(KindAccess, "github", l("status")))
	a := sp.Attributes()
	a.PutStr("http.request.method", "GET")
	hs := a.PutEmptySlice("http.request.header.authorization")
	hs.AppendEmpty().SetStr("Bearer " + g.src.raw(KindAccess, "google", l("hdrslice")))
	nested := a.PutEmptyMap("request")
	nested.PutEmptyMap("headers").PutStr("Authorization", "Bearer "+g.src.raw(KindAccess, "authplane", l("nested")))
	a.PutStr("client_secret", g.src.raw(KindClientSecret, "", l("cs")))
	a.PutStr("http.request.header.proxy-authorization", "Bearer "+g.src.raw(KindAccess, "authplane", l("proxy")))
	a.PutStr("http.response.header.location", "https://app.example.com/cb?code="+g.src.raw(KindCode, "", l("loc"))+"&state=xyz")
	ev := sp.Events().AppendEmpty()
	ev.SetName("retrying with " + g.src.raw(KindPAT, "", l("evname")))
	ev.Attributes().PutStr("cookie", "sid="+g.src.raw(KindCookie, "", l("evcookie")))
	lk := sp.Links().AppendEmpty()
	lk.SetTraceID(link)
	lk.Attributes().PutStr("authorization", "Bearer "+g.src.raw(KindAccess, "authplane", l("link")))
	lk.Attributes().PutStr("refresh_token", g.src.raw(KindRefresh, "authplane", l("linkrt")))
	for _, p := range []string{"resource attributes", "scope attributes", "span name", "status message",
		"authorization header slice", "nested map", "client_secret attribute", "proxy-authorization header", "URL in any attribute", "span event name", "span event attributes",
		"span link attributes"} {
		g.truth.position(p)
	}
}

func (g *Generator) logs(recs []scenario.Record) Request {
	ld := plog.NewLogs()
	byService := map[string]plog.LogRecordSlice{}
	for idx := range recs {
		r := &recs[idx]
		lrs, ok := byService[r.Service]
		if !ok {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", r.Service)
			rl.Resource().Attributes().PutStr(contract.AttrClientID, "mcp-client")
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName("oauthgen")
			lrs = sl.LogRecords()
			byService[r.Service] = lrs
		}
		attrs := g.rawAttrs(r)
		lr := lrs.AppendEmpty()
		lr.SetTraceID(r.TraceID)
		if !r.TraceID.IsEmpty() {
			lr.SetSpanID(r.SpanID)
		}
		ts := pcommon.NewTimestampFromTime(g.realTime(r.Time))
		lr.SetTimestamp(ts)
		lr.SetObservedTimestamp(ts)
		lr.SetSeverityText("INFO")
		m := lr.Attributes()
		putSorted(m, attrs)
		// The app's own log line, with the token in its JSON text.
		msg := attrs[contract.AttrOperation]
		if msg == "" {
			msg = attrs["action"]
		}
		if rt := attrs[contract.AttrRefreshToken]; rt != "" && rt != "[REDACTED]" {
			lr.Body().SetStr(`{"msg":"` + msg + `","refresh_token":"` + rt + `"}`)
			g.truth.position("log body JSON text")
		} else {
			lr.Body().SetStr(msg)
		}
		g.noteRecord(r, attrs, false, false)
	}
	n := len(recs)
	if !g.cfg.NoCarriers {
		g.carrierLog(ld, recs[0])
		n++
	}
	g.truth.Logs += n
	g.truth.Requests++
	return Request{Signal: Logs, Logs: ld, Records: n}
}

// carrierLog is a non-OAuth log line of a legacy gateway with secrets in
// string, map and nested slice bodies (cycling).
func (g *Generator) carrierLog(ld plog.Logs, near scenario.Record) {
	n := g.nReq
	l := func(what string) string { return fmt.Sprintf("carrierlog/%d/%d/%s", g.shard, n, what) }
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "legacy-gateway")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(g.realTime(near.Time)))
	lr.Attributes().PutStr("http.url", "https://api.example.com/cb?code="+g.src.raw(KindCode, "", l("url"))+"&x=1")
	g.truth.position("http.url query")
	switch n % 3 {
	case 0:
		lr.Body().SetStr("callback GET /cb?state=" + g.src.raw(KindState, "", l("str")) + " auth=Bearer " + g.src.raw(KindAccess, "github", l("strb")))
		g.truth.position("log body string")
	case 1:
		b := lr.Body().SetEmptyMap()
		b.PutStr("msg", "token exchange")
		b.PutStr("access_token", g.src.raw(KindAccess, "google", l("map")))
		b.PutEmptyMap("req").PutEmptyMap("headers").PutStr("authorization", "Bearer "+g.src.raw(KindAccess, "authplane", l("mapnested")))
		g.truth.position("log body map")
	default:
		s := lr.Body().SetEmptySlice()
		s.AppendEmpty().SetStr(g.src.raw(KindPAT, "", l("slice")))
		s.AppendEmpty().SetEmptyMap().PutStr("id_token", g.src.raw(KindIDToken, "", l("slicemap")))
		g.truth.position("log body slice, nested")
	}
}

// metricsRequest is an app-metrics request whose data-point and exemplar
// attributes carry secrets.
func (g *Generator) metricsRequest() Request {
	n := g.nReq
	l := func(what string) string { return fmt.Sprintf("metrics/%d/%d/%s", g.shard, n, what) }
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "mcp-client")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("oauthgen")
	now := pcommon.NewTimestampFromTime(g.cfg.Start.Add(time.Duration(float64(g.nRec) / g.cfg.Rate * float64(time.Second))))
	sum := sm.Metrics().AppendEmpty()
	sum.SetName("app.http.requests")
	s := sum.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := s.DataPoints().AppendEmpty()
	dp.SetTimestamp(now)
	dp.SetIntValue(int64(n))
	dp.Attributes().PutStr("url.full", "https://api.example.com/me?access_token="+g.src.raw(KindAccess, "authplane", l("dp")))
	dp.Attributes().PutStr("http.request.header.authorization", "Bearer "+g.src.raw(KindAccess, "google", l("dpauth")))
	h := sm.Metrics().AppendEmpty()
	h.SetName("app.http.duration")
	h.SetUnit("s")
	hist := h.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	hp := hist.DataPoints().AppendEmpty()
	hp.SetTimestamp(now)
	hp.SetCount(1)
	hp.SetSum(0.2)
	hp.ExplicitBounds().FromRaw([]float64{0.1, 1})
	hp.BucketCounts().FromRaw([]uint64{0, 1, 0})
	ex := hp.Exemplars().AppendEmpty()
	ex.SetTimestamp(now)
	ex.SetDoubleValue(0.2)
	ex.FilteredAttributes().PutStr("authorization", "Bearer "+g.src.raw(KindAccess, "github", l("ex")))
	ex.FilteredAttributes().PutStr("refresh_token", g.src.raw(KindRefresh, "google", l("exrt")))
	g.truth.position("data-point attributes")
	g.truth.position("exemplar attributes")
	g.truth.DataPoints += 2
	g.truth.Requests++
	return Request{Signal: Metrics, Metrics: md, Records: 2}
}
