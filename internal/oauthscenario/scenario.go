// Package oauthscenario generates labelled OAuth telemetry: thousands of benign
// flows (logins, token rotations, concurrent refreshes, retries, clock skew,
// users on two devices, masked values, app logs of the same operations) with
// attacks injected at known points. It is deterministic by seed, so the
// security processor's tests and the testbed replay the same traffic and
// score detections against the labels.
package oauthscenario

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Signal says whether a record is a span or a log record.
type Signal int

const (
	Span Signal = iota
	Log
)

// Record is one span or log record of the scenario.
type Record struct {
	Signal  Signal
	Time    time.Time
	TraceID pcommon.TraceID
	SpanID  pcommon.SpanID
	Kind    ptrace.SpanKind
	Error   bool
	Service string
	Attrs   map[string]string
}

// Attack is one injected attack: the trace it happens in and the finding
// it must raise (once).
type Attack struct {
	TraceID   pcommon.TraceID
	EventType string
	Variant   string
	Time      time.Time
}

// Config shapes a scenario.
type Config struct {
	Seed uint64
	// Users each run a login flow and a chain of token rotations on one or
	// two devices.
	Users int
	// Attacks injected, cycling through every variant.
	Attacks int
	// Key fingerprints the secrets, as oauth_redact would upstream.
	Key   string
	Start time.Time
	// GracePeriod is the processor's reuse_grace_period: benign concurrent
	// refreshes stay well inside it, replays well outside.
	GracePeriod time.Duration
}

// Scenario is the generated traffic, in time order, and its labels.
type Scenario struct {
	Records []Record
	Attacks []Attack
}

// Variants of injected attacks, in the order they are cycled.
var Variants = []string{
	"refresh_replay", "refresh_replay_reported_by_as", "code_replay", "code_after_pkce_failure",
	"pkce_user_mismatch", "state_replay", "ownership", "verifier_replay", "mix_up",
	"reported_integrity_log", "reported_integrity_attr", "audit_family_revoked",
}

var providers = []struct{ name, iss string }{
	{"github", "https://github.com/login/oauth"},
	{"google", "https://accounts.google.com"},
	{"authplane", "https://auth.example.com"},
}

type gen struct {
	cfg     Config
	rng     *rand.Rand
	fp      *contract.Fingerprinter
	recs    []Record
	secrets int
}

// used artifacts an attack can replay.
type flowArtifacts struct {
	user, provider  string
	code, verifier  string
	state           string
	codeAt          time.Time
	refreshTokens   []string // rotated away, in order
	refreshAt       []time.Time
	currentToken    string
	lastRefreshTime time.Time
}

// Generate builds a scenario.
func Generate(cfg Config) *Scenario {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed)), fp: contract.NewFingerprinter(cfg.Key)}
	if g.cfg.GracePeriod <= 0 {
		g.cfg.GracePeriod = 2 * time.Second
	}
	for _, p := range providers {
		g.add(Record{Signal: Span, Time: cfg.Start, TraceID: g.traceID(), Kind: ptrace.SpanKindClient, Service: "mcp-client",
			Attrs: map[string]string{contract.AttrOperation: contract.OpDiscovery, contract.AttrProvider: p.name, contract.AttrIss: p.iss, contract.AttrSide: contract.SideClient, contract.AttrDiscoveryMethod: "rfc9728"}})
	}
	var flows []*flowArtifacts
	for u := range cfg.Users {
		user := fmt.Sprintf("user-%d", u)
		devices := 1
		if g.rng.IntN(10) < 3 {
			devices = 2 // the same user on two devices: two token chains
		}
		for range devices {
			start := cfg.Start.Add(time.Minute + time.Duration(g.rng.Int64N(int64(2*time.Hour))))
			flows = append(flows, g.benignFlow(user, start))
		}
	}
	s := &Scenario{}
	for i := range cfg.Attacks {
		variant := Variants[i%len(Variants)]
		f := flows[g.rng.IntN(len(flows))]
		s.Attacks = append(s.Attacks, g.attack(variant, f))
	}
	sort.SliceStable(g.recs, func(i, j int) bool { return g.recs[i].Time.Before(g.recs[j].Time) })
	s.Records = g.recs
	return s
}

func (g *gen) add(r Record) {
	if r.SpanID.IsEmpty() {
		var b [8]byte
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		b[0] |= 1
		r.SpanID = b
	}
	g.recs = append(g.recs, r)
}

func (g *gen) traceID() pcommon.TraceID {
	var t pcommon.TraceID
	for i := range t {
		t[i] = byte(g.rng.Uint32())
	}
	t[0] |= 1
	return t
}

// secret returns the fingerprint of a fresh secret.
func (g *gen) secret(kind string) string {
	g.secrets++
	return g.fp.Fingerprint(fmt.Sprintf("%s-%d-%d", kind, g.cfg.Seed, g.secrets))
}

func attrs(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func (g *gen) jitter(max time.Duration) time.Duration {
	return time.Duration(g.rng.Int64N(int64(max)))
}

// benignFlow emits one device's login and token rotations.
func (g *gen) benignFlow(user string, t time.Time) *flowArtifacts {
	p := providers[g.rng.IntN(len(providers))]
	f := &flowArtifacts{user: user, provider: p.name}
	cs := contract.SideClient
	common := func(kv ...string) map[string]string {
		m := attrs(kv...)
		m[contract.AttrEnduserID] = user
		m[contract.AttrProvider] = p.name
		m[contract.AttrClientID] = "mcp-client"
		m[contract.AttrAccessToken] = "[REDACTED]" // masked: never correlated
		return m
	}
	// An abandoned attempt: PKCE state expired, callback failed, no redemption.
	if g.rng.IntN(20) == 0 {
		tr, st, code := g.traceID(), g.secret("state"), g.secret("code")
		g.add(Record{Signal: Span, Time: t, TraceID: tr, Kind: ptrace.SpanKindInternal, Service: "mcp-client",
			Attrs: common(contract.AttrOperation, contract.OpPKCEValidate, contract.AttrSide, cs, contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonExpired, contract.AttrState, st)})
		g.add(Record{Signal: Span, Time: t.Add(5 * time.Millisecond), TraceID: tr, Kind: ptrace.SpanKindServer, Service: "mcp-client", Error: true,
			Attrs: common(contract.AttrOperation, contract.OpCallback, contract.AttrSide, cs, contract.AttrCode, code, contract.AttrState, st, contract.AttrIss, p.iss)})
		t = t.Add(30 * time.Second)
	}
	// Login: pkce.create, authorize, callback, pkce.validate, token on both sides.
	f.state, f.verifier, f.code = g.secret("state"), g.secret("verifier"), g.secret("code")
	tr := g.traceID()
	g.add(Record{Signal: Span, Time: t, TraceID: tr, Kind: ptrace.SpanKindInternal, Service: "mcp-client",
		Attrs: common(contract.AttrOperation, contract.OpPKCECreate, contract.AttrSide, cs, contract.AttrState, f.state, contract.AttrCodeVerifier, f.verifier)})
	g.add(Record{Signal: Span, Time: t.Add(time.Millisecond), TraceID: tr, Kind: ptrace.SpanKindClient, Service: "mcp-client",
		Attrs: common(contract.AttrOperation, contract.OpAuthorize, contract.AttrState, f.state)})
	t = t.Add(5*time.Second + g.jitter(20*time.Second))
	tr = g.traceID()
	if g.rng.IntN(10) == 0 {
		// The token request failed once (another trace) and was retried.
		g.add(Record{Signal: Span, Time: t.Add(-time.Second), TraceID: g.traceID(), Kind: ptrace.SpanKindServer, Service: "auth-server", Error: true,
			Attrs: common(contract.AttrOperation, contract.OpToken, contract.AttrGrantType, "authorization_code", contract.AttrCode, f.code, contract.AttrCodeVerifier, f.verifier)})
	}
	g.add(Record{Signal: Span, Time: t, TraceID: tr, Kind: ptrace.SpanKindInternal, Service: "mcp-client",
		Attrs: common(contract.AttrOperation, contract.OpPKCEValidate, contract.AttrSide, cs, contract.AttrState, f.state)})
	g.add(Record{Signal: Span, Time: t.Add(10 * time.Millisecond), TraceID: tr, Kind: ptrace.SpanKindClient, Service: "mcp-client",
		Attrs: common(contract.AttrOperation, contract.OpToken, contract.AttrGrantType, "authorization_code", contract.AttrCode, f.code, contract.AttrCodeVerifier, f.verifier)})
	cb := common(contract.AttrOperation, contract.OpCallback, contract.AttrSide, cs, contract.AttrCode, f.code, contract.AttrState, f.state, contract.AttrIss, p.iss)
	asTrace := tr
	if g.rng.IntN(3) == 0 {
		// No context propagation to the AS, and a callback handler that
		// leaves oauth.side to its span kind (SERVER).
		asTrace = g.traceID()
		delete(cb, contract.AttrSide)
	}
	g.add(Record{Signal: Span, Time: t.Add(8 * time.Millisecond), TraceID: asTrace, Kind: ptrace.SpanKindServer, Service: "auth-server",
		Attrs: common(contract.AttrOperation, contract.OpToken, contract.AttrGrantType, "authorization_code", contract.AttrCode, f.code, contract.AttrCodeVerifier, f.verifier)})
	g.add(Record{Signal: Span, Time: t.Add(20 * time.Millisecond), TraceID: tr, Kind: ptrace.SpanKindServer, Service: "mcp-client", Attrs: cb})
	f.codeAt = t
	// Token rotations.
	tok := g.secret("refresh")
	n := 3 + g.rng.IntN(6)
	for range n {
		t = t.Add(20*time.Minute + g.jitter(40*time.Minute))
		g.refresh(common, tok, t)
		f.refreshTokens = append(f.refreshTokens, tok)
		f.refreshAt = append(f.refreshAt, t)
		tok = g.secret("refresh")
	}
	f.currentToken, f.lastRefreshTime = tok, t
	if g.rng.IntN(5) == 0 {
		g.add(Record{Signal: Span, Time: t.Add(time.Hour), TraceID: g.traceID(), Kind: ptrace.SpanKindServer, Service: "auth-server",
			Attrs: common(contract.AttrOperation, contract.OpRevoke, contract.AttrReason, contract.ReasonManual, contract.AttrRefreshToken, tok)})
	}
	return f
}

// refresh emits one successful rotation of tok, with its benign noise.
func (g *gen) refresh(common func(...string) map[string]string, tok string, t time.Time) {
	grace := g.cfg.GracePeriod
	skew := func() time.Duration { return g.jitter(grace/4) - grace/8 } // instance clocks disagree
	one := func(tr pcommon.TraceID, at time.Time, kv ...string) {
		g.add(Record{Signal: Span, Time: at, TraceID: tr, Kind: ptrace.SpanKindClient, Service: "mcp-client",
			Attrs: common(append([]string{contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, tok}, kv...)...)})
		g.add(Record{Signal: Span, Time: at.Add(skew()), TraceID: tr, Kind: ptrace.SpanKindServer, Service: "auth-server",
			Attrs: common(append([]string{contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, tok}, kv...)...)})
	}
	switch g.rng.IntN(10) {
	case 0: // the first attempt failed on both sides; the retry succeeds
		tr := g.traceID()
		g.add(Record{Signal: Span, Time: t.Add(-3 * time.Second), TraceID: tr, Kind: ptrace.SpanKindClient, Service: "mcp-client", Error: true,
			Attrs: common(contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, tok)})
		g.add(Record{Signal: Span, Time: t.Add(-3 * time.Second), TraceID: tr, Kind: ptrace.SpanKindServer, Service: "auth-server",
			Attrs: common(contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, tok, contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonException)})
	case 1: // two tabs refresh concurrently, inside the grace window
		one(g.traceID(), t.Add(g.jitter(grace/4)))
	case 2: // the AS resolved a concurrent refresh itself
		one(g.traceID(), t.Add(5*grace), contract.AttrReason, contract.ReasonConcurrentSuccess)
	}
	tr := g.traceID()
	one(tr, t)
	switch g.rng.IntN(4) {
	case 0: // the server's log line of the same refresh
		g.add(Record{Signal: Log, Time: t.Add(2 * time.Millisecond), TraceID: tr, Service: "auth-server",
			Attrs: common(contract.AttrOperation, contract.OpRefresh, contract.AttrSide, contract.SideServer, contract.AttrRefreshToken, tok)})
	case 1: // a client log with the token masked by the app
		g.add(Record{Signal: Log, Time: t.Add(3 * time.Millisecond), Service: "mcp-client",
			Attrs: common(contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, "[REDACTED]")})
	}
}

// attack injects one labelled attack against a flow.
func (g *gen) attack(variant string, f *flowArtifacts) Attack {
	tr := g.traceID()
	common := func(kv ...string) map[string]string {
		m := attrs(kv...)
		m[contract.AttrEnduserID] = f.user
		m[contract.AttrProvider] = f.provider
		return m
	}
	// Code-bound replays happen within the code TTL (10 min) of the legit use.
	codeT := f.codeAt.Add(time.Minute + g.jitter(7*time.Minute))
	i := g.rng.IntN(len(f.refreshTokens))
	old := f.refreshTokens[i]
	refreshT := f.refreshAt[i].Add(10*g.cfg.GracePeriod + g.jitter(30*time.Minute))
	a := Attack{TraceID: tr, Variant: variant}
	span := func(at time.Time, kind ptrace.SpanKind, service string, m map[string]string, isErr bool) {
		g.add(Record{Signal: Span, Time: at, TraceID: tr, Kind: kind, Service: service, Attrs: m, Error: isErr})
	}
	log := func(at time.Time, service string, m map[string]string) {
		g.add(Record{Signal: Log, Time: at, TraceID: tr, Service: service, Attrs: m})
	}
	cs := contract.SideClient
	switch variant {
	case "refresh_replay":
		a.EventType, a.Time = contract.EventTokenReuse, refreshT
		span(refreshT, ptrace.SpanKindServer, "auth-server", common(contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, old), false)
	case "refresh_replay_reported_by_as":
		a.EventType, a.Time = contract.EventTokenReuse, refreshT
		span(refreshT, ptrace.SpanKindServer, "auth-server", common(contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, old,
			contract.AttrStatus, contract.StatusReuseDetected, contract.AttrReason, contract.ReasonReuseDetected), true)
		log(refreshT.Add(time.Millisecond), "auth-server", common("type", "SECURITY_EVENT", "action", "oauth_refresh_token_reuse_detected"))
		log(refreshT.Add(2*time.Millisecond), "auth-server", common(contract.AttrOperation, contract.OpRevoke, contract.AttrAuditAction, "family.revoked",
			contract.AttrReason, contract.ReasonReuseDetected, "oauth.audit.detail.reuse_detection", "true"))
	case "code_replay":
		a.EventType, a.Time = contract.EventCodeInjection, codeT
		span(codeT, ptrace.SpanKindServer, "auth-server", common(contract.AttrOperation, contract.OpToken, contract.AttrGrantType, "authorization_code",
			contract.AttrCode, f.code, contract.AttrCodeVerifier, g.secret("verifier")), false)
	case "code_after_pkce_failure":
		a.EventType, a.Time = contract.EventCodeInjection, codeT
		span(codeT, ptrace.SpanKindInternal, "mcp-client", common(contract.AttrOperation, contract.OpPKCEValidate, contract.AttrSide, cs,
			contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonInvalidHash), false)
		span(codeT.Add(5*time.Millisecond), ptrace.SpanKindServer, "mcp-client", common(contract.AttrOperation, contract.OpCallback, contract.AttrSide, cs,
			contract.AttrCode, g.secret("code"), contract.AttrState, g.secret("state")), false)
	case "pkce_user_mismatch":
		a.EventType, a.Time = contract.EventCodeInjection, codeT
		span(codeT, ptrace.SpanKindInternal, "mcp-client", common(contract.AttrOperation, contract.OpPKCEValidate, contract.AttrSide, cs,
			contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonUserMismatch), false)
	case "state_replay":
		a.EventType, a.Time = contract.EventIntegrityViolation, codeT
		span(codeT, ptrace.SpanKindServer, "mcp-client", common(contract.AttrOperation, contract.OpCallback, contract.AttrSide, cs,
			contract.AttrCode, g.secret("code"), contract.AttrState, f.state), false)
	case "ownership":
		a.EventType, a.Time = contract.EventOwnershipViolation, refreshT
		span(refreshT, ptrace.SpanKindServer, "auth-server", common(contract.AttrOperation, contract.OpRefresh, contract.AttrRefreshToken, f.currentToken,
			contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonOwnershipFailed), true)
	case "verifier_replay":
		a.EventType, a.Time = contract.EventPKCEReplay, codeT
		span(codeT, ptrace.SpanKindServer, "auth-server", common(contract.AttrOperation, contract.OpToken, contract.AttrGrantType, "authorization_code",
			contract.AttrCode, g.secret("code"), contract.AttrCodeVerifier, f.verifier), false)
	case "mix_up":
		a.EventType, a.Time = contract.EventMixUp, codeT
		iss := "https://attacker.example/as"
		span(codeT, ptrace.SpanKindServer, "mcp-client", common(contract.AttrOperation, contract.OpCallback, contract.AttrSide, cs,
			contract.AttrCode, g.secret("code"), contract.AttrState, g.secret("state"), contract.AttrIss, iss), true)
	case "reported_integrity_log":
		a.EventType, a.Time = contract.EventIntegrityViolation, codeT
		log(codeT, "mcp-client", common("type", "SECURITY_EVENT", "action", "pkce_state_integrity_violation"))
	case "reported_integrity_attr":
		a.EventType, a.Time = contract.EventIntegrityViolation, codeT
		span(codeT, ptrace.SpanKindInternal, "mcp-client", common(contract.AttrOperation, contract.OpPKCEValidate, contract.AttrSide, cs,
			contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonInvalidHash, contract.AttrIntegrityViolation, "hash_mismatch"), false)
	case "audit_family_revoked":
		a.EventType, a.Time = contract.EventTokenReuse, refreshT
		log(refreshT, "auth-server", common(contract.AttrOperation, contract.OpRevoke, contract.AttrAuditAction, "family.revoked",
			"oauth.audit.detail", "family=f-1 reuse_detection"))
	default:
		panic("unknown variant " + variant)
	}
	return a
}

// Batch is a run of records of one signal, as a pipeline would receive them.
type Batch struct {
	// Now is the processing time of the batch (its newest record).
	Now    time.Time
	Traces ptrace.Traces
	Logs   plog.Logs
	Signal Signal
}

// Batches groups consecutive records of the same signal, at most size each.
func (s *Scenario) Batches(size int) []Batch {
	var out []Batch
	for i := 0; i < len(s.Records); {
		sig := s.Records[i].Signal
		j := i
		for j < len(s.Records) && j-i < size && s.Records[j].Signal == sig {
			j++
		}
		b := Batch{Signal: sig, Now: s.Records[j-1].Time}
		if sig == Span {
			b.Traces = ptrace.NewTraces()
			for _, r := range s.Records[i:j] {
				rs := b.Traces.ResourceSpans().AppendEmpty()
				rs.Resource().Attributes().PutStr("service.name", r.Service)
				sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
				sp.SetName(r.Attrs[contract.AttrOperation])
				sp.SetTraceID(r.TraceID)
				sp.SetSpanID(r.SpanID)
				sp.SetKind(r.Kind)
				sp.SetStartTimestamp(pcommon.NewTimestampFromTime(r.Time.Add(-50 * time.Millisecond)))
				sp.SetEndTimestamp(pcommon.NewTimestampFromTime(r.Time))
				if r.Error {
					sp.Status().SetCode(ptrace.StatusCodeError)
				}
				for k, v := range r.Attrs {
					sp.Attributes().PutStr(k, v)
				}
			}
		} else {
			b.Logs = plog.NewLogs()
			for _, r := range s.Records[i:j] {
				rl := b.Logs.ResourceLogs().AppendEmpty()
				rl.Resource().Attributes().PutStr("service.name", r.Service)
				lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
				lr.SetTraceID(r.TraceID)
				if !r.TraceID.IsEmpty() {
					lr.SetSpanID(r.SpanID)
				}
				lr.SetTimestamp(pcommon.NewTimestampFromTime(r.Time))
				for k, v := range r.Attrs {
					lr.Attributes().PutStr(k, v)
				}
			}
		}
		out = append(out, b)
		i = j
	}
	return out
}

// Score compares annotated records with the labels.
type Score struct {
	TruePositives, FalsePositives, FalseNegatives int
	// Duplicates counts incidents (trace, event type) annotated on more
	// than one record.
	Duplicates int
	Precision  float64
	Recall     float64
	// Unexpected lists false positives and misses (the first 20), for
	// failure messages.
	Unexpected []string
}

type incident struct {
	trace     pcommon.TraceID
	eventType string
}

// Scorer collects annotated records.
type Scorer struct {
	seen map[incident]int
}

// NewScorer returns an empty scorer.
func NewScorer() *Scorer { return &Scorer{seen: map[incident]int{}} }

// Traces collects every annotated span.
func (sc *Scorer) Traces(td ptrace.Traces) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		ss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < ss.Len(); j++ {
			for k := 0; k < ss.At(j).Spans().Len(); k++ {
				sp := ss.At(j).Spans().At(k)
				sc.add(sp.TraceID(), sp.Attributes())
			}
		}
	}
}

// Logs collects every annotated log record.
func (sc *Scorer) Logs(ld plog.Logs) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sl := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sl.Len(); j++ {
			for k := 0; k < sl.At(j).LogRecords().Len(); k++ {
				lr := sl.At(j).LogRecords().At(k)
				sc.add(lr.TraceID(), lr.Attributes())
			}
		}
	}
}

func (sc *Scorer) add(tr pcommon.TraceID, m pcommon.Map) {
	v, ok := m.Get(contract.AttrSecurityFindings)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return
	}
	for i := 0; i < v.Slice().Len(); i++ {
		sc.seen[incident{tr, v.Slice().At(i).AsString()}]++
	}
}

// Score scores what was collected against the scenario's labels.
func (sc *Scorer) Score(s *Scenario) Score {
	var r Score
	want := map[incident]Attack{}
	for _, a := range s.Attacks {
		want[incident{a.TraceID, a.EventType}] = a
	}
	for inc, n := range sc.seen {
		if n > 1 {
			r.Duplicates++
		}
		if _, ok := want[inc]; ok {
			r.TruePositives++
		} else {
			r.FalsePositives++
			r.Unexpected = append(r.Unexpected, fmt.Sprintf("false positive %s on trace %s", inc.eventType, inc.trace))
		}
	}
	for inc, a := range want {
		if sc.seen[inc] == 0 {
			r.FalseNegatives++
			r.Unexpected = append(r.Unexpected, fmt.Sprintf("missed %s (%s) on trace %s", inc.eventType, a.Variant, inc.trace))
		}
	}
	sort.Strings(r.Unexpected)
	if len(r.Unexpected) > 20 {
		r.Unexpected = append(r.Unexpected[:20], fmt.Sprintf("… and %d more", len(r.Unexpected)-20))
	}
	if d := r.TruePositives + r.FalsePositives; d > 0 {
		r.Precision = float64(r.TruePositives) / float64(d)
	}
	if d := r.TruePositives + r.FalseNegatives; d > 0 {
		r.Recall = float64(r.TruePositives) / float64(d)
	}
	return r
}
