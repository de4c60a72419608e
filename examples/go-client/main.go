// Command go-client is an OAuth client app instrumented with the OTel Go SDK
// the way the telemetry contract (docs/telemetry-contract.md) asks: every
// OAuth step is a span carrying oauth.operation and the raw secrets it
// handled, and a log record tells what happened. It plays complete flows
// against an in-process, deliberately naive authorization server (it accepts
// a rotated refresh token and an already redeemed code again), including
// exactly one refresh-token reuse and one authorization-code injection, so
// the collector is the one that catches them.
//
// It sends OTLP/HTTP to a collector (an agent on deploy/agent.yaml, or the
// default config), flushes and exits 0; a failed export exits 1.
//
//	go run ./examples/go-client -endpoint http://127.0.0.1:4318 -seed 42
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4318", "OTLP/HTTP endpoint of the collector (http:// or https://)")
	seed := flag.Uint64("seed", 0, "seed of the generated users and secrets (0: from the clock); use a new one per run against the same collector, or every token looks reused")
	flows := flag.Int("flows", 3, "successful authorization flows (users) to play")
	refreshes := flag.Int("refreshes", 3, "refresh rotations per user")
	service := flag.String("service", "go-oauth-client", "service.name")
	clientID := flag.String("client-id", "go-example-client", "oauth.client_id")
	attackDelay := flag.Duration("attack-delay", 2*time.Second, "flush and wait this long before the attacks, so the collector has processed the legitimate uses first")
	record := flag.String("record", "", "write a JSON record of the flows to this file (mode 0600): the trace ids of the attacks and the raw secrets used, for tests that check none leaked")
	flag.Parse()
	if *flows < 2 || *refreshes < 1 {
		log.Fatal("need -flows >= 2 and -refreshes >= 1")
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}

	ctx := context.Background()
	shutdown, err := setupOTel(ctx, *endpoint, *service, *clientID)
	if err != nil {
		log.Fatal(err)
	}
	app := newApp(*seed, *clientID)
	app.play(ctx, *flows, *refreshes, *attackDelay)

	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		log.Fatalf("flush: %v", err)
	}
	if err := exportErr(); err != nil {
		log.Fatalf("export failed: %v", err)
	}
	if *record != "" {
		b, err := json.MarshalIndent(app.rec, "", "  ")
		if err == nil {
			err = os.WriteFile(*record, b, 0o600)
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("go-client: %d flows, %d refreshes, 1 refresh-token reuse, 1 code injection sent to %s (seed %d)\n",
		app.rec.Flows, app.rec.Refreshes, *endpoint, *seed)
}

var (
	errMu    sync.Mutex
	firstErr error
)

func exportErr() error {
	errMu.Lock()
	defer errMu.Unlock()
	return firstErr
}

// setupOTel installs the tracer and logger providers: batching OTLP/HTTP
// exporters, a resource naming the service and the OAuth client.
func setupOTel(ctx context.Context, endpoint, service, clientID string) (func(context.Context) error, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("-endpoint: want http(s)://host:port, got %q", endpoint)
	}
	topts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(u.Host)}
	lopts := []otlploghttp.Option{otlploghttp.WithEndpoint(u.Host)}
	if u.Scheme == "http" {
		topts = append(topts, otlptracehttp.WithInsecure())
		lopts = append(lopts, otlploghttp.WithInsecure())
	}
	te, err := otlptracehttp.New(ctx, topts...)
	if err != nil {
		return nil, err
	}
	le, err := otlploghttp.New(ctx, lopts...)
	if err != nil {
		return nil, err
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}))
	res := resource.NewSchemaless(
		attribute.String("service.name", service),
		attribute.String("oauth.client_id", clientID),
	)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(te), sdktrace.WithResource(res))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(le)), sdklog.WithResource(res))
	tracer, logger = tp.Tracer("otelcol-oauth/examples/go-client"), lp.Logger("otelcol-oauth/examples/go-client")
	flush = func(ctx context.Context) error {
		return errors.Join(tp.ForceFlush(ctx), lp.ForceFlush(ctx))
	}
	return func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), lp.Shutdown(ctx))
	}, nil
}

var (
	tracer trace.Tracer
	logger otellog.Logger
	flush  func(context.Context) error
)

const (
	provider = "example-idp"
	issuer   = "https://idp.example.com"
	redirect = "https://app.example.com/oauth/callback"
)

// Record is what -record writes.
type Record struct {
	ClientID  string `json:"client_id"`
	Seed      uint64 `json:"seed"`
	Flows     int    `json:"flows"`
	Refreshes int    `json:"refreshes"`
	// The trace and span ids (hex) of the records the collector must flag.
	TokenReuse    Ref `json:"token_reuse"`
	CodeInjection Ref `json:"code_injection"`
	// Every raw secret that went out on a span or a log record.
	Secrets []string `json:"secrets"`
}

// Ref names one span.
type Ref struct {
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
}

func ref(sp trace.Span) Ref {
	sc := sp.SpanContext()
	return Ref{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String()}
}

// session is one user's tokens.
type session struct {
	user         string
	code         string
	refresh      string
	firstRefresh string // rotated away by the first refresh
	access       string
}

type app struct {
	rnd      *rand.Rand
	clientID string
	rec      Record
	as       *authServer
}

func newApp(seed uint64, clientID string) *app {
	return &app{
		rnd:      rand.New(rand.NewPCG(seed, 0x6f61757468)),
		clientID: clientID,
		rec:      Record{ClientID: clientID, Seed: seed},
		as:       &authServer{codes: map[string]string{}, refresh: map[string]string{}},
	}
}

// random returns n random base64url characters.
func (a *app) random(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[a.rnd.IntN(len(alphabet))]
	}
	return string(b)
}

// secret returns a fresh random secret and remembers it for the record.
func (a *app) secret(prefix string, n int) string {
	s := prefix + a.random(n)
	a.rec.Secrets = append(a.rec.Secrets, s)
	return s
}

// authServer is the naive authorization server the flows run against: it
// never invalidates a redeemed code or a rotated refresh token, which is
// exactly what lets the two attacks through (and what the collector sees).
type authServer struct {
	codes   map[string]string // code → user
	refresh map[string]string // refresh token → user
}

func (a *app) span(ctx context.Context, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return tracer.Start(ctx, name, trace.WithSpanKind(kind),
		trace.WithAttributes(append(attrs, attribute.String("oauth.client_id", a.clientID), attribute.String("oauth.provider", provider))...))
}

func op(name string) attribute.KeyValue { return attribute.String("oauth.operation", name) }

// logf emits a log record in ctx (so it carries the span's trace and span
// ids) with extra attributes; it never carries oauth.operation, so it is
// never counted twice with its span.
func logf(ctx context.Context, sev otellog.Severity, body string, attrs ...attribute.KeyValue) {
	var r otellog.Record
	r.SetTimestamp(time.Now())
	r.SetSeverity(sev)
	r.SetBody(attribute.StringValue(body))
	r.AddAttributes(attrs...)
	logger.Emit(ctx, r)
}

func (a *app) play(ctx context.Context, flows, refreshes int, attackDelay time.Duration) {
	a.discover(ctx)
	sessions := make([]*session, flows)
	for i := range sessions {
		sessions[i] = a.login(ctx, fmt.Sprintf("user-%d", i+1), "").session
		a.rec.Flows++
	}
	for r := 0; r < refreshes; r++ {
		for _, s := range sessions {
			a.refresh(ctx, s, s.refresh)
		}
	}
	a.cleanupPKCE(ctx)

	// The attacks come later: make sure the legitimate uses are processed first.
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = flush(fctx)
	cancel()
	time.Sleep(attackDelay)

	// 1. A copy of user-1's first refresh token, rotated away long ago, is
	// presented again (a leaked backup, a stolen cookie jar). The naive AS
	// accepts it: the collector flags this refresh as token_reuse.
	victim := sessions[0]
	a.rec.TokenReuse = a.refresh(ctx, victim, victim.firstRefresh)
	// 2. user-2's authorization code, already redeemed, is injected into a
	// new callback in another browser session: code_injection.
	a.rec.CodeInjection = a.login(ctx, "attacker", sessions[1].code).callbackRef

	for _, s := range sessions {
		a.revoke(ctx, s)
	}
}

func (a *app) discover(ctx context.Context) {
	ctx, sp := a.span(ctx, "oauth discovery", trace.SpanKindClient, op("discovery"),
		attribute.String("oauth.discovery.method", "rfc9728"),
		attribute.String("oauth.iss", issuer),
		attribute.String("url.full", issuer+"/.well-known/oauth-authorization-server"))
	time.Sleep(time.Duration(20+a.rnd.IntN(30)) * time.Millisecond)
	logf(ctx, otellog.SeverityInfo, "oauth discovery: authorization server metadata cached",
		attribute.String("oauth.iss", issuer))
	sp.End()
}

// loginResult is what login returns.
type loginResult struct {
	*session
	callbackRef Ref
}

// login plays one authorization-code flow with PKCE: pkce.create and
// authorize in the request that redirects the user, then the callback
// request (pkce.validate, the token exchange). With injected set, the code
// that comes back to the callback is that one instead of a fresh one.
func (a *app) login(ctx context.Context, user, injected string) loginResult {
	state, verifier := a.secret("st-", 32), a.secret("cv-", 43)

	// Request 1: the user clicks "log in".
	rctx, root := tracer.Start(ctx, "GET /login", trace.WithSpanKind(trace.SpanKindServer))
	_, sp := a.span(rctx, "oauth pkce.create", trace.SpanKindInternal, op("pkce.create"),
		attribute.String("oauth.state", state), attribute.String("code_verifier", verifier), attribute.String("enduser.id", user))
	sp.End()
	authURL := fmt.Sprintf("%s/authorize?response_type=code&client_id=%s&redirect_uri=%s&state=%s&code_challenge_method=S256&code_challenge=%s",
		issuer, url.QueryEscape(a.clientID), url.QueryEscape(redirect), state, a.random(43))
	actx, sp := a.span(rctx, "oauth authorize", trace.SpanKindInternal, op("authorize"),
		attribute.String("oauth.state", state), attribute.String("url.full", authURL), attribute.String("enduser.id", user))
	logf(actx, otellog.SeverityInfo, "oauth authorize: redirecting to the authorization server",
		attribute.String("url.full", authURL), attribute.String("enduser.id", user))
	sp.End()
	root.End()

	time.Sleep(time.Duration(30+a.rnd.IntN(50)) * time.Millisecond) // the user at the AS

	// The AS redirects back with a code.
	code := injected
	if code == "" {
		code = a.secret("ac-", 32)
		a.as.codes[code] = user
	}
	cbURL := fmt.Sprintf("%s?code=%s&state=%s&iss=%s", redirect, code, state, url.QueryEscape(issuer))

	// Request 2: the callback.
	cctx, cb := a.span(ctx, "oauth callback", trace.SpanKindServer, op("callback"),
		attribute.String("oauth.state", state), attribute.String("oauth.code", code),
		attribute.String("oauth.iss", issuer), attribute.String("url.full", cbURL), attribute.String("enduser.id", user))
	_, sp = a.span(cctx, "oauth pkce.validate", trace.SpanKindInternal, op("pkce.validate"),
		attribute.String("oauth.state", state), attribute.String("enduser.id", user))
	sp.End()
	s := &session{user: user, code: code}
	s.access, s.refresh = a.secret("at-", 40), a.secret("rt-", 40)
	a.as.refresh[s.refresh] = user
	tctx, sp := a.span(cctx, "oauth token", trace.SpanKindClient, op("token"),
		attribute.String("oauth.grant_type", "authorization_code"),
		attribute.String("code_verifier", verifier),
		attribute.String("access_token", s.access), attribute.String("refresh_token", s.refresh),
		attribute.Int("oauth.token.expires_in", 3600), attribute.String("enduser.id", user))
	time.Sleep(time.Duration(10+a.rnd.IntN(20)) * time.Millisecond)
	sp.End()
	logf(tctx, otellog.SeverityInfo, "oauth callback: tokens stored",
		attribute.String("enduser.id", user), attribute.String("access_token", s.access), attribute.String("url.full", cbURL))
	cb.End()
	return loginResult{session: s, callbackRef: ref(cb)}
}

// refresh rotates s's refresh token, presenting the given one.
func (a *app) refresh(ctx context.Context, s *session, presented string) Ref {
	ctx, sp := a.span(ctx, "oauth refresh", trace.SpanKindClient, op("refresh"),
		attribute.String("oauth.grant_type", "refresh_token"),
		attribute.String("oauth.refresh_token", presented), attribute.String("enduser.id", s.user))
	defer sp.End()
	time.Sleep(time.Duration(5+a.rnd.IntN(20)) * time.Millisecond)
	if _, ok := a.as.refresh[presented]; !ok {
		sp.SetStatus(codes.Error, "invalid_grant")
		sp.SetAttributes(attribute.String("oauth.reason", "no_record"))
		return ref(sp)
	}
	if s.firstRefresh == "" {
		s.firstRefresh = presented
	}
	s.access, s.refresh = a.secret("at-", 40), a.secret("rt-", 40)
	a.as.refresh[s.refresh] = s.user
	sp.SetAttributes(attribute.Int("oauth.token.expires_in", 3600))
	logf(ctx, otellog.SeverityInfo, "oauth refresh: token rotated",
		attribute.String("enduser.id", s.user), attribute.String("refresh_token", presented))
	a.rec.Refreshes++
	return ref(sp)
}

func (a *app) cleanupPKCE(ctx context.Context) {
	_, sp := a.span(ctx, "oauth pkce.cleanup", trace.SpanKindInternal, op("pkce.cleanup"),
		attribute.String("oauth.reason", "expired"), attribute.Int("oauth.pkce.cleaned_count", 1))
	sp.End()
}

func (a *app) revoke(ctx context.Context, s *session) {
	ctx, sp := a.span(ctx, "oauth revoke", trace.SpanKindClient, op("revoke"),
		attribute.String("oauth.reason", "manual"),
		attribute.String("access_token", s.access), attribute.String("refresh_token", s.refresh),
		attribute.String("enduser.id", s.user))
	logf(ctx, otellog.SeverityInfo, "oauth revoke: user logged out", attribute.String("enduser.id", s.user))
	sp.End()
}
