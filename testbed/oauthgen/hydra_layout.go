package oauthgen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// The span layout of one Hydra v2.3.0 request, as a real Hydra v2.3.0
// exported it (capture of 2026-12-06 by h3-hydrabuild, its NOTES.md), with
// the names checked in the source (module cache, github.com/ory/hydra/v2@v2.3.0
// and the fosite and ory/x versions it pins):
//   - root: a SERVER span named after the path only, old HTTP semconv
//     attributes (http.method, http.target without the query,
//     http.status_code, net.*, user_agent.original, content lengths), status
//     UNSET even on a 400, no http.route; scope "Ory Hydra"; no parent
//     unless the client sent a traceparent (then a remote parent Hydra never
//     exports); span flags 0x100 (has-is-remote);
//   - fosite's steps under scope "github.com/ory/fosite", the persister's
//     persistence.sql.* under "Ory Hydra", the consent strategy's
//     DefaultStrategy.* (and CreateAuthorizeCodeSession) under the SDK's
//     empty-name scope "go.opentelemetry.io/otel/sdk/tracer", the client
//     secret hasher under "github.com/ory/hydra/x", ory/x's sql-* spans
//     (CLIENT, component and query, args omitted) under
//     "github.com/ory/x/otelx/sql";
//   - token signatures as OAuth2RefreshTokenSignature /
//     OAuth2AccessTokenSignature on persistence spans (the presented one on
//     GetRefreshTokenSession, new ones on Create*TokenSession); the code's
//     signature is on no span;
//   - events carry ClientIP first and DUPLICATE keys (OAuth2Subject: first
//     the subject's SHA-256, then the plain subject; OAuth2ClientID and
//     OAuth2GrantType twice); the token events sit on Create*TokenSession,
//     OAuth2ClientCreated on persistence.sql.CreateClient, the handler
//     events (OAuth2TokenExchangeError with ClientIP only,
//     OAuth2AccessTokenRevoked, OAuth2AccessTokenInspected, the login and
//     consent acceptances) on the root;
//   - a failed step ends as ory/x otelx.End does: ERROR status with the
//     error's text, error (for a fosite error its name), error.reason (its
//     hint, "" when it has none) and error.debug; a plain Go error has only
//     error.
const (
	hydraService = "hydra"
	scopeHydra   = contract.HydraScope
	scopeFosite  = "github.com/ory/fosite"
	scopeSQL     = "github.com/ory/x/otelx/sql"
	scopeSDK     = "go.opentelemetry.io/otel/sdk/tracer"
	scopeHasher  = "github.com/ory/hydra/x"
	// flagsHasIsRemote and flagsIsRemote are OTLP's span flags bits.
	flagsHasIsRemote = 0x100
	flagsIsRemote    = 0x200
	clientIP         = "10.0.3.7:41872"
)

// hreq is one Hydra request under construction.
type hreq struct {
	h        *hydraGen
	own      ptrace.SpanSlice
	root     ptrace.Span
	children []hspan
	trace    pcommon.TraceID
	t        time.Time // the clock of the next child
	truth    hreqTruth
}

// hreqTruth is a request's part of the ground truth. It enters the Truth
// when the request's root is sent (its children were sent before or with
// it), so that the truth always matches the requests returned.
type hreqTruth struct {
	counts             []string // ExpectedMetrics keys, one each
	attacks, unflagged []AttackTruth
	positions          []string
}

func (r *hreq) position(p string) { r.truth.positions = append(r.truth.positions, p) }

// apply adds the request's truth to t.
func (q *hreqTruth) apply(t *Truth) {
	for _, k := range q.counts {
		t.ExpectedMetrics[k]++
	}
	for _, p := range q.positions {
		t.position(p)
	}
	t.Attacks = append(t.Attacks, q.attacks...)
	t.Unflagged = append(t.Unflagged, q.unflagged...)
}

// request starts a request: its root SERVER span, finished by h.finish.
func (h *hydraGen) request(method, path string, status int) *hreq {
	r := &hreq{h: h, own: ptrace.NewSpanSlice(), trace: h.traceID(), t: h.now()}
	root := r.own.AppendEmpty()
	root.SetName(path)
	root.SetKind(ptrace.SpanKindServer)
	root.SetTraceID(r.trace)
	root.SetSpanID(h.spanID())
	root.SetStartTimestamp(pcommon.NewTimestampFromTime(r.t))
	root.SetFlags(flagsHasIsRemote)
	if h.rng.IntN(10) == 0 {
		// the client sent a traceparent: a remote parent, never exported
		root.SetParentSpanID(h.spanID())
		root.SetFlags(flagsHasIsRemote | flagsIsRemote)
	}
	a := root.Attributes()
	a.PutStr("http.method", method)
	a.PutStr("http.scheme", "http")
	a.PutStr("net.host.name", "hydra.example.internal")
	a.PutInt("net.host.port", 4444)
	a.PutStr("net.sock.peer.addr", "10.0.3.7")
	a.PutInt("net.sock.peer.port", 41872)
	a.PutStr("user_agent.original", "Go-http-client/1.1")
	a.PutStr("http.target", path)
	a.PutStr("net.protocol.version", "1.1")
	if method == "POST" || method == "PUT" {
		a.PutInt("http.request_content_length", int64(120+h.rng.IntN(200)))
	}
	a.PutInt("http.response_content_length", int64(200+h.rng.IntN(1400)))
	a.PutInt("http.status_code", int64(status))
	r.root = root
	return r
}

// end closes the root after its children.
func (r *hreq) end() {
	r.t = r.t.Add(time.Millisecond)
	r.root.SetEndTimestamp(pcommon.NewTimestampFromTime(r.t))
}

// child adds a span under parent.
func (r *hreq) child(parent ptrace.Span, scope, name string) ptrace.Span {
	s := r.own.AppendEmpty()
	s.SetName(name)
	s.SetKind(ptrace.SpanKindInternal)
	s.SetTraceID(r.trace)
	s.SetSpanID(r.h.spanID())
	s.SetParentSpanID(parent.SpanID())
	s.SetFlags(flagsHasIsRemote)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(r.t))
	r.t = r.t.Add(2 * time.Millisecond)
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(r.t))
	r.children = append(r.children, hspan{span: s, scope: scope})
	return s
}

func (r *hreq) fosite(parent ptrace.Span, name string) ptrace.Span {
	return r.child(parent, scopeFosite, name)
}

func (r *hreq) persist(parent ptrace.Span, name string) ptrace.Span {
	return r.child(parent, scopeHydra, name)
}

// sql adds ory/x's span of one statement under parent.
func (r *hreq) sql(parent ptrace.Span, exec bool, query string) {
	name := "sql-conn-query"
	if exec {
		name = "sql-conn-exec"
	}
	s := r.child(parent, scopeSQL, name)
	s.SetKind(ptrace.SpanKindClient)
	s.Attributes().PutStr("component", "database/sql")
	s.Attributes().PutStr("query", query)
}

// fail ends s as otelx.End ends a span with a fosite error: its name, hint
// and debug text.
func fail(s ptrace.Span, errName, hint, debug string) {
	s.Status().SetCode(ptrace.StatusCodeError)
	s.Status().SetMessage(errName)
	a := s.Attributes()
	a.PutStr(contract.HydraAttrError, errName)
	a.PutStr(contract.HydraAttrErrorReason, hint)
	a.PutStr(contract.HydraAttrErrorDebug, debug)
}

// failPlain ends s with a plain Go error (no hint, no debug): a sentinel
// such as consent.ErrAbortOAuth2Request or fosite.ErrInvalidatedAuthorizeCode.
func failPlain(s ptrace.Span, text string) {
	s.Status().SetCode(ptrace.StatusCodeError)
	s.Status().SetMessage(text)
	s.Attributes().PutStr(contract.HydraAttrError, text)
}

// event adds a span event with ClientIP and then the string attributes
// kv in order, duplicate keys kept as Hydra writes them (pcommon.Map's Put
// would overwrite: the event is decoded from OTLP JSON, which keeps them).
func event(s ptrace.Span, at pcommon.Timestamp, name string, kv ...string) {
	var b strings.Builder
	b.WriteString(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[{"name":`)
	b.WriteString(strconv.Quote(name))
	b.WriteString(`,"attributes":[{"key":"ClientIP","value":{"stringValue":"` + clientIP + `"}}`)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, `,{"key":%s,"value":{"stringValue":%s}}`, strconv.Quote(kv[i]), strconv.Quote(kv[i+1]))
	}
	b.WriteString(`]}]}]}]}]}`)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(b.String()))
	if err != nil {
		panic("oauthgen: event template: " + err.Error()) // the JSON above is ours
	}
	ev := s.Events().AppendEmpty()
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Events().At(0).CopyTo(ev)
	ev.SetTimestamp(at)
}

// subjectHash is toEventOptions' OAuth2Subject: the subject's SHA-256.
func subjectHash(sub string) string {
	h := sha256.Sum256([]byte(sub))
	return hex.EncodeToString(h[:])
}

// issued adds the issue event of a created token session (on the
// Create*TokenSession span, as events.Trace does on its context):
// toEventOptions' keys, then WithRequest's, then the grant type again for
// the access token.
func (r *hreq) issued(s ptrace.Span, name, grant, client, subject string) {
	kv := []string{contract.HydraAttrGrantType, grant, "OAuth2Subject", subjectHash(subject), contract.HydraAttrClientID, client,
		"OAuth2Subject", subject, contract.HydraAttrClientID, client}
	if name == contract.HydraEventAccessTokenIssued {
		kv = append(kv, contract.HydraAttrGrantType, grant)
	}
	event(s, s.StartTimestamp(), name, kv...)
}

// Statements as Hydra's persister sends them (placeholders only).
const (
	qClient  = "SELECT hydra_client.* FROM hydra_client AS hydra_client WHERE id=? AND nid = ? LIMIT 1"
	qFlow    = "SELECT hydra_oauth2_flow.* FROM hydra_oauth2_flow AS hydra_oauth2_flow WHERE login_challenge = ? AND nid = ? LIMIT 1"
	qInsert  = "INSERT INTO hydra_oauth2_flow (login_challenge, nid, requested_scope, client_id, subject, state) VALUES (?, ?, ?, ?, ?, ?)"
	qSession = "SELECT * FROM hydra_oauth2_%s WHERE signature = ? AND nid = ? LIMIT 1"
	qCreate  = "INSERT INTO hydra_oauth2_%s (signature, nid, request_id, challenge_id, requested_at, client_id, scope, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	qRevoke  = "UPDATE hydra_oauth2_%s SET active = false WHERE request_id = ? AND nid = ?"
)
