//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// The generic HTTP vocabulary against a real OpenID Provider: the example
// OP of github.com/zitadel/oidc/v3 (example/server: exampleop.SetupServer
// with its in-memory storage), wrapped in otelhttp and exporting its HTTP
// SERVER spans over OTLP to the shipped default config. Nothing in the OP
// writes an oauth.* attribute: every OAuth series below is derived from
// http.request.method, url.path and http.response.status_code alone.
//
// A second service, an ordinary web shop with its own /token (a CSRF token)
// and /register (a sign-up form), sends its spans through the same
// collector: not one OAuth series comes from it.

const (
	opService   = "zitadel-example-op"
	shopService = "shop-web"
	// nativeRedirect is never served: the driver reads the code from the
	// redirect's Location.
	nativeRedirect = "http://localhost/auth/callback"
)

// tracedServer serves h on a loopback port, every request a SERVER span of
// service name exported over OTLP/HTTP to otlpPort. It returns the base
// URL and a flush.
func tracedServer(t *testing.T, name string, otlpPort int, h func(base string) http.Handler) (string, func()) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithInsecure(), otlptracehttp.WithEndpoint(fmt.Sprintf("localhost:%d", otlpPort)))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(name))))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := fmt.Sprintf("http://localhost:%d/", ln.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{
		Handler: otelhttp.NewHandler(h(base), name,
			otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(propagation.TraceContext{})),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = tp.Shutdown(context.Background())
	})
	return base, func() { require.NoError(t, tp.ForceFlush(ctx)) }
}

// noRedirect is an HTTP client that hands redirects back to the driver.
var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func do(t *testing.T, req *http.Request, wantStatus int) *http.Response {
	t.Helper()
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	require.Equal(t, wantStatus, resp.StatusCode, "%s %s", req.Method, req.URL.Path)
	return resp
}

func get(t *testing.T, u string, wantStatus int) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	return do(t, req, wantStatus)
}

func postForm(t *testing.T, u string, form url.Values, basicUser, basicPass string, wantStatus int) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	return do(t, req, wantStatus)
}

func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// opDriver drives the example OP as a client would, and counts what it did.
type opDriver struct {
	t    *testing.T
	base string
	meta map[string]any
}

func (d *opDriver) endpoint(key string) string {
	v, ok := d.meta[key].(string)
	require.True(d.t, ok, "discovery has %s", key)
	return v
}

// codeFlow runs authorization code + PKCE for the native (public) client
// through the example login, and returns the token response.
func (d *opDriver) codeFlow() map[string]any {
	t := d.t
	verifier := "e2e-verifier-" + strings.Repeat("x", 43)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id": {"native"}, "response_type": {"code"}, "scope": {"openid offline_access"},
		"redirect_uri": {nativeRedirect}, "state": {"e2e-state"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	// 1. The authorization request: the OP sends the user to its login.
	login := get(t, d.endpoint("authorization_endpoint")+"?"+q.Encode(), http.StatusFound).Header.Get("Location")
	lu, err := url.Parse(login)
	require.NoError(t, err)
	id := lu.Query().Get("authRequestID")
	require.NotEmpty(t, id, "login redirect %s", lu.Path)
	// 2. The login form, then the OP's callback, then the redirect URI.
	cb := postForm(t, d.base+"login/username", url.Values{
		"username": {"test-user@localhost"}, "password": {"verysecure"}, "id": {id},
	}, "", "", http.StatusFound).Header.Get("Location")
	if !strings.HasPrefix(cb, "http") {
		cb = strings.TrimSuffix(d.base, "/") + cb
	}
	redirect := get(t, cb, http.StatusFound).Header.Get("Location")
	ru, err := url.Parse(redirect)
	require.NoError(t, err)
	code := ru.Query().Get("code")
	require.NotEmpty(t, code, "the redirect carries a code")
	// 3. The code exchange.
	return decode(t, postForm(t, d.endpoint("token_endpoint"), url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {nativeRedirect},
		"client_id": {"native"}, "code_verifier": {verifier},
	}, "", "", http.StatusOK))
}

func TestZitadelOPGenericHTTP(t *testing.T) {
	cfgPath, ports := testutil.DefaultConfig(t)
	// The default config keeps no resource attributes on the OAuth metrics
	// (one series set from the first scrape); this test tells the OP's
	// series from the web shop's, so it keeps service.name as the gateway
	// config does, and everything else of the default config.
	raw, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	require.Contains(t, string(raw), "    resource_attributes: []\n")
	cfgPath = testutil.WriteConfig(t, strings.Replace(string(raw), "    resource_attributes: []\n", "    resource_attributes: [service.name]\n", 1))
	col := testutil.Start(t, cfgPath)
	col.WaitHealthy(fmt.Sprintf("http://localhost:%d/", ports["13133"]), 60*time.Second)

	storage.RegisterClients(
		storage.NativeClient("native", nativeRedirect),
		storage.WebClient("web", "secret"),
	)
	opBase, flushOP := tracedServer(t, opService, ports["4318"], func(base string) http.Handler {
		return exampleop.SetupServer(base, storage.NewStorage(storage.NewUserStore(base)), nil, false)
	})
	shopBase, flushShop := tracedServer(t, shopService, ports["4318"], func(string) http.Handler { return shopMux() })

	// The ordinary app first, before any authorization server is known.
	driveShop(t, shopBase)

	d := &opDriver{t: t, base: opBase}
	// Discovery: 1 GET of the OpenID configuration.
	d.meta = decode(t, get(t, opBase+".well-known/openid-configuration", http.StatusOK))
	// Code + PKCE: 1 authorize (302 to the login), 1 code exchange.
	tok := d.codeFlow()
	refreshToken, _ := tok["refresh_token"].(string)
	require.NotEmpty(t, refreshToken, "offline_access gives a refresh token")
	// Refresh: 1 more token request.
	tok2 := decode(t, postForm(t, d.endpoint("token_endpoint"), url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {"native"},
	}, "", "", http.StatusOK))
	access, _ := tok2["access_token"].(string)
	require.NotEmpty(t, access)
	// Client credentials: 1 more token request (the example's service user).
	postForm(t, d.endpoint("token_endpoint"), url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}},
		"sid1", "verysecret", http.StatusOK)
	// A refused token request: 1 token failure (HTTP 400, invalid_grant).
	postForm(t, d.endpoint("token_endpoint"), url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {"not-a-refresh-token"}, "client_id": {"native"},
	}, "", "", http.StatusBadRequest)
	// Introspection by the web client (a resource server; the token is not
	// for its audience, so the OP answers active=false): no metric.
	intro := decode(t, postForm(t, d.endpoint("introspection_endpoint"), url.Values{"token": {access}}, "web", "secret", http.StatusOK))
	assert.Contains(t, intro, "active")
	// Revocation of the refresh token: 1 revoke.
	postForm(t, d.endpoint("revocation_endpoint"), url.Values{
		"token": {refreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {"native"},
	}, "", "", http.StatusOK)
	// The ordinary app again, now that an authorization server is known:
	// its bare paths belong to another service.
	driveShop(t, shopBase)
	flushOP()
	flushShop()

	metricsURL := fmt.Sprintf("http://localhost:%d/metrics", ports["8889"])
	var samples []testutil.Sample
	want := map[string]float64{
		// GET /.well-known/openid-configuration (no discovery method on an
		// HTTP span: other).
		`oauth_discovery_attempts_total{status="success"}`: 1,
		// GET /auth: one flow initiated, one authorization request.
		`oauth_flows_total{status="initiated"}`:                1,
		`oauth_authorization_requests_total{result="success"}`: 1,
		// POST /oauth/token: code, refresh, client credentials succeed, the
		// bad refresh fails. A form body is not on an HTTP span, so the
		// grant is unknown (other) and no flow outcome is counted.
		`oauth_token_exchanges_total{grant_type="other",result="success"}`: 3,
		`oauth_token_exchanges_total{grant_type="other",result="failure"}`: 1,
		// POST /revoke.
		`oauth_token_revocations_total`: 1,
		// 3 tokens issued, 1 revoked.
		`oauth_active_tokens`: 2,
	}
	eventually(t, 60, "metrics derived from the OP's spans", func() error {
		var err error
		if samples, err = testutil.ScrapeMetrics(metricsURL); err != nil {
			return err
		}
		for sel, v := range want {
			if got := sumSelector(samples, sel, opService); got != v {
				return fmt.Errorf("%s of %s = %v, want %v", sel, opService, got, v)
			}
		}
		return nil
	})
	// Nothing else: no flow outcome, refresh, PKCE, registration or finding
	// (introspect feeds no metric).
	for _, name := range []string{
		"oauth_token_refresh_total", "oauth_pkce_validations_total", "oauth_client_registrations_total",
		"oauth_security_events_total", "oauth_integrity_violations_total", "oauth_code_injection_attempts_total",
	} {
		assert.Zero(t, sumSelector(samples, name, opService), name)
	}
	assert.Zero(t, sumSelector(samples, `oauth_flows_total{status="success"}`, opService))
	assert.Zero(t, sumSelector(samples, `oauth_flows_total{status="failure"}`, opService))
	assert.Equal(t, 1.0, sumSelector(samples, `oauth_discovery_attempts_total{method="other"}`, opService))

	// The ordinary web service: not one OAuth series beyond the label-less
	// counters at zero.
	for _, s := range samples {
		if !strings.HasPrefix(s.Name, "oauth_") || s.Labels["job"] != shopService {
			continue
		}
		extra := []string{}
		for k := range s.Labels {
			if k != "job" && k != "instance" {
				extra = append(extra, k)
			}
		}
		assert.Empty(t, extra, "%s of %s has labels: an OAuth series from an ordinary app", s.Name, shopService)
		assert.Zero(t, s.Value, "%s of %s", s.Name, shopService)
	}
}

// sumSelector sums the samples of name{k="v",...} of one service (the
// prometheus exporter's job label).
func sumSelector(samples []testutil.Sample, sel, service string) float64 {
	name, labels := sel, []string{"job", service}
	if i := strings.IndexByte(sel, '{'); i >= 0 {
		name = sel[:i]
		for _, kv := range strings.Split(strings.TrimSuffix(sel[i+1:], "}"), ",") {
			k, v, _ := strings.Cut(kv, "=")
			labels = append(labels, k, strings.Trim(v, `"`))
		}
	}
	return testutil.SumSamples(samples, name, labels...)
}

// shopMux is an ordinary web shop: a CSRF token at GET /token, a sign-up
// form at GET and POST /register, a product page. No OAuth.
func shopMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"csrf":"e2e-csrf-token"}`))
	})
	mux.HandleFunc("/register", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
			http.Redirect(w, r, "/welcome", http.StatusSeeOther)
			return
		}
		_, _ = w.Write([]byte(`<form method="post"><input name="email"></form>`))
	})
	mux.HandleFunc("GET /products/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("product")) })
	return mux
}

// driveShop: 2 CSRF tokens, the sign-up form and its POST, a product page.
func driveShop(t *testing.T, base string) {
	get(t, base+"token", http.StatusOK)
	get(t, base+"token", http.StatusOK)
	get(t, base+"register", http.StatusOK)
	postForm(t, base+"register", url.Values{"email": {"e2e@example.test"}}, "", "", http.StatusSeeOther)
	get(t, base+"products/42", http.StatusOK)
}
