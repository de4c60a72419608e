package oauthgen

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// The span layout of one Hydra v2.3.0 request, read in its source and its
// dependencies' (module cache, github.com/ory/hydra/v2@v2.3.0):
//   - root: otelhttp's SERVER span named after the path by Hydra's router
//     wrapper, old semconv attributes (http.method, http.target without the
//     query, http.status_code), status UNSET below 500; scope "Ory Hydra"
//     (driver/registry_sql.go, otelx.New);
//   - fosite's steps under tracer "github.com/ory/fosite"
//     (access_request_handler.go, access_response_writer.go,
//     authorize_request_handler.go, ...);
//   - the persister's persistence.sql.* spans (persistence/sql/*.go), the
//     token signatures as OAuth2RefreshTokenSignature /
//     OAuth2AccessTokenSignature attributes (x/events/events.go), the
//     events OAuth2AccessTokenIssued / OAuth2RefreshTokenIssued on
//     Create*TokenSession (toEventOptions: OAuth2GrantType, OAuth2Subject
//     as a SHA-256 hex, OAuth2ClientID);
//   - the consent strategy's DefaultStrategy.* spans (consent/strategy_default.go);
//   - ory/x's sql spans (otelx/sql/instrumentedsql.go, luna-duclos/instrumentedsql:
//     sql-conn-query / sql-conn-exec, CLIENT, component and query, args
//     omitted: driver/registry_sql.go WithOmitArgs);
//   - handler events on the root: OAuth2TokenExchangeError,
//     OAuth2AccessTokenRevoked (no attributes), OAuth2AccessTokenInspected,
//     OAuth2ClientCreated (oauth2/handler.go, client/handler.go);
//   - a failed step ends as ory/x otelx.End does: ERROR status with the
//     error's text, error (a fosite error's name), error.reason (its hint),
//     error.debug.
const (
	hydraService = "Ory Hydra"
	scopeHydra   = contract.HydraScope
	scopeFosite  = "github.com/ory/fosite"
	scopeSQL     = "github.com/ory/x/otelx/sql"
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
	a := root.Attributes()
	a.PutStr("http.method", method)
	a.PutStr("http.scheme", "http")
	a.PutStr("net.host.name", "hydra.example.internal")
	a.PutInt("net.host.port", 4444)
	a.PutStr("net.sock.peer.addr", "10.0.3.7")
	a.PutStr("user_agent.original", "Go-http-client/1.1")
	a.PutStr("http.target", path)
	a.PutStr("net.protocol.version", "1.1")
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

// event adds a span event with string attributes.
func event(s ptrace.Span, at pcommon.Timestamp, name string, kv ...string) {
	ev := s.Events().AppendEmpty()
	ev.SetName(name)
	ev.SetTimestamp(at)
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attributes().PutStr(kv[i], kv[i+1])
	}
}

// subjectHash is toEventOptions' OAuth2Subject: the subject's SHA-256.
func subjectHash(sub string) string {
	h := sha256.Sum256([]byte(sub))
	return hex.EncodeToString(h[:])
}

// tokenEvents adds the issue event of a created token session (on the
// Create*TokenSession span, as events.Trace does on its context).
func (r *hreq) issued(s ptrace.Span, name, grant, client, subject string) {
	event(s, s.EndTimestamp(), name,
		"OAuth2GrantType", grant, "OAuth2Subject", subjectHash(subject), contract.HydraAttrClientID, client)
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
