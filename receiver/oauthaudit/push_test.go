package oauthaudit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

const hmacSecret = "push-hmac-secret-for-tests"

// startPush starts a push-only receiver on a free loopback port.
func startPush(t *testing.T, next consumer.Logs, host component.Host, mutate ...func(*PushConfig)) (string, *auditReceiver) {
	t.Helper()
	pc := defaultPushConfig()
	pc.NetAddr.Endpoint = "127.0.0.1:0"
	for _, m := range mutate {
		m(&pc)
	}
	cfg := &Config{Push: configoptional.Some(pc)}
	require.NoError(t, cfg.Validate())
	r, err := newAuditReceiver(cfg, receivertest.NewNopSettings(metadata.Type), next)
	require.NoError(t, err)
	r.now = func() time.Time { return t0 }
	if host == nil {
		host = storagetest.NewHost(nil)
	}
	require.NoError(t, r.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	return "http://" + r.addr.String() + pc.Path, r
}

func post(t *testing.T, url, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func ev(id string) string {
	return fmt.Sprintf(`{"id":%q,"action":"token.refreshed","client_id":"c1","detail":"family=f","created_at":"2026-11-22T11:00:00Z"}`, id)
}

func TestPushFormats(t *testing.T) {
	sink := &flakySink{}
	url, _ := startPush(t, sink, nil)
	code, _, body := post(t, url, ev("single"))
	require.Equal(t, http.StatusOK, code, body)
	code, _, _ = post(t, url, "[\n"+ev("arr-1")+",\n"+ev("arr-2")+"\n]")
	require.Equal(t, http.StatusOK, code)
	code, _, body = post(t, url, ev("nd-1")+"\n"+ev("nd-2")+"\n\n"+ev("nd-3")+"\n")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"accepted":3}`, body)
	requireExactlyOnce(t, []string{"single", "arr-1", "arr-2", "nd-1", "nd-2", "nd-3"}, auditIDs(&sink.LogsSink))
}

func TestPushMalformedNamesLineAndField(t *testing.T) {
	sink := &flakySink{}
	url, _ := startPush(t, sink, nil)
	for _, tc := range []struct{ body, want string }{
		{ev("1") + "\n" + ev("2") + "\n" + `{"id":"3","action":"token.issued","created_at":"yesterday"}`, `line 3: field \"created_at\"`},
		{ev("1") + "\n" + `{"id":"2","created_at":"2026-11-22T11:00:00Z"}`, `line 2: field \"action\": is required`},
		{"[\n" + ev("1") + ",\n" + `{"id":"2","action":42}` + "\n]", `line 3: field \"action\": must be a string`},
		{ev("1") + "\n" + `{"id":"2","action":"x","trace_id":"nothex"}`, `line 2: field \"trace_id\"`},
		{ev("1") + "\n" + `{"id":"2", "action": `, `line 2: invalid JSON`},
		{"[" + ev("1") + "] trailing", `line 1: unexpected data after the JSON array`},
		{ev("1") + "\n[1]", `line 2: an event must be a JSON object`},
		{"", "line 1: empty body"},
		{"[]", "empty array"},
	} {
		code, _, body := post(t, url, tc.body)
		assert.Equal(t, http.StatusBadRequest, code, tc.body)
		assert.Contains(t, body, tc.want)
	}
	assert.Empty(t, auditIDs(&sink.LogsSink), "nothing of a malformed batch is accepted")
}

// A token sent in the wrong field is named by field, never echoed back.
func TestPushErrorsNeverEchoValues(t *testing.T) {
	sink := &flakySink{}
	url, _ := startPush(t, sink, nil)
	const tok = "rt_Zq8vN3kLm5Tb7Xc9Wd2Yf4Hj6"
	for _, field := range []string{"created_at", "trace_id"} {
		code, _, body := post(t, url, `{"id":"1","action":"token.issued","`+field+`":"`+tok+`"}`)
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, body, `field \"`+field+`\"`)
		assert.NotContains(t, body, tok[3:12], "the 400 echoes the value of %s", field)
	}
}

func TestPushBodyLimit(t *testing.T) {
	sink := &flakySink{}
	url, _ := startPush(t, sink, nil, func(p *PushConfig) { p.MaxRequestBodySize = 1024 })
	big := "[" + strings.TrimSuffix(strings.Repeat(ev("x")+",", 20), ",") + "]"
	require.Greater(t, len(big), 1024)
	code, _, _ := post(t, url, big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)

	// Without Content-Length (chunked), the limit still holds.
	req, err := http.NewRequest(http.MethodPost, url, io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	code, _, _ = post(t, url, ev("small"))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"small"}, auditIDs(&sink.LogsSink))
}

func TestPushBackPressure(t *testing.T) {
	sink := &flakySink{fails: 2, err: errBusy}
	url, _ := startPush(t, sink, nil, func(p *PushConfig) { p.RetryAfter = 3 * time.Second })
	batch := ev("a") + "\n" + ev("b") + "\n" + ev("c")
	var codes []int
	for attempt := 0; attempt < 5; attempt++ {
		code, hdr, _ := post(t, url, batch)
		codes = append(codes, code)
		if code == http.StatusOK {
			break
		}
		require.Equal(t, http.StatusServiceUnavailable, code)
		require.Equal(t, "3", hdr.Get("Retry-After"))
	}
	assert.Equal(t, []int{503, 503, 200}, codes)
	requireExactlyOnce(t, []string{"a", "b", "c"}, auditIDs(&sink.LogsSink))

	// A permanent refusal is not worth retrying: 400.
	sink.mu.Lock()
	sink.fails, sink.err = 1, consumererror.NewPermanent(errors.New("bad data"))
	sink.mu.Unlock()
	code, _, _ := post(t, url, ev("d"))
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestPushMethod(t *testing.T) {
	url, _ := startPush(t, &flakySink{}, nil)
	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func sign(ts, body string) string {
	m := hmac.New(sha256.New, []byte(hmacSecret))
	if ts != "" {
		m.Write([]byte(ts + "."))
	}
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestPushHMAC(t *testing.T) {
	sink := &flakySink{}
	url, _ := startPush(t, sink, nil, func(p *PushConfig) { p.HMAC.Secret = hmacSecret })
	body := ev("signed")
	code, _, _ := post(t, url, body, "X-Signature-256", sign("", body))
	assert.Equal(t, http.StatusOK, code)
	for _, bad := range []string{"", "sha256=00", sign("", body+" "), "md5=abc", strings.TrimPrefix(sign("", body), "sha256=")} {
		code, _, resp := post(t, url, body, "X-Signature-256", bad)
		assert.Equal(t, http.StatusUnauthorized, code, bad)
		assert.NotContains(t, resp, hmacSecret)
	}
	assert.Equal(t, []string{"signed"}, auditIDs(&sink.LogsSink))
}

func TestPushHMACReplayWindow(t *testing.T) {
	sink := &flakySink{}
	url, _ := startPush(t, sink, nil, func(p *PushConfig) {
		p.HMAC.Secret, p.HMAC.TimestampHeader, p.HMAC.ReplayWindow = hmacSecret, "X-Timestamp", time.Minute
	})
	body := ev("fresh")
	now := strconv.FormatInt(t0.Unix(), 10)
	code, _, _ := post(t, url, body, "X-Signature-256", sign(now, body), "X-Timestamp", now)
	assert.Equal(t, http.StatusOK, code)

	old := strconv.FormatInt(t0.Add(-2*time.Minute).Unix(), 10)
	code, _, msg := post(t, url, body, "X-Signature-256", sign(old, body), "X-Timestamp", old)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, msg, "replay window")

	future := strconv.FormatInt(t0.Add(2*time.Minute).Unix(), 10)
	code, _, _ = post(t, url, body, "X-Signature-256", sign(future, body), "X-Timestamp", future)
	assert.Equal(t, http.StatusUnauthorized, code)

	// A fresh timestamp does not rescue a signature made for another one.
	code, _, _ = post(t, url, body, "X-Signature-256", sign(old, body), "X-Timestamp", now)
	assert.Equal(t, http.StatusUnauthorized, code)
	// The body-only signature is not enough once timestamps are on.
	code, _, _ = post(t, url, body, "X-Signature-256", sign("", body))
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, []string{"fresh"}, auditIDs(&sink.LogsSink))
}

// bearerAuth is an auth extension test double: it accepts one bearer token.
type bearerAuth struct {
	component.StartFunc
	component.ShutdownFunc
	token string
}

var _ extensionauth.Server = (*bearerAuth)(nil)

func (b *bearerAuth) Authenticate(ctx context.Context, headers map[string][]string) (context.Context, error) {
	for k, v := range headers {
		if strings.EqualFold(k, "authorization") && len(v) > 0 && v[0] == "Bearer "+b.token {
			return ctx, nil
		}
	}
	return ctx, errors.New("unauthorized")
}

func TestPushBearerThroughAuthExtension(t *testing.T) {
	authID := component.MustNewID("testauth")
	host := storagetest.NewHost(map[component.ID]component.Component{authID: &bearerAuth{token: "push-token"}})
	sink := &flakySink{}
	url, _ := startPush(t, sink, host, func(p *PushConfig) {
		p.Auth = configoptional.Some(confighttp.AuthConfig{Config: configauth.Config{AuthenticatorID: authID}})
	})
	code, _, _ := post(t, url, ev("no-token"))
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = post(t, url, ev("bad-token"), "Authorization", "Bearer nope")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = post(t, url, ev("ok"), "Authorization", "Bearer push-token")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"ok"}, auditIDs(&sink.LogsSink))
}

func TestParseBodyLines(t *testing.T) {
	evs, err := parseBody([]byte("  \n" + ev("1") + "\n"))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	// A pretty-printed single event spans lines.
	evs, err = parseBody([]byte("{\n  \"action\": \"token.issued\",\n  \"id\": 5\n}"))
	require.NoError(t, err)
	assert.Equal(t, "5", evs[0].ID)
	_, err = parseBody([]byte("{\n  \"action\": \"token.issued\",\n  \"created_at\": \"bad\"\n}"))
	var be *BodyError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 1, be.Line, "the line where the bad event starts")
	assert.Contains(t, err.Error(), `field "created_at"`)
}
