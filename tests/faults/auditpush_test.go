//go:build faults

package faults

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// auditEvent is one AuthPlane audit event whose detail carries a secret.
func auditEvent(id, secret string) string {
	return fmt.Sprintf(`{"id":%q,"action":"token.refreshed","actor_id":"u1","client_id":"client-a","ip":"10.0.0.1","detail":"family=f1 refresh_token=%s","created_at":%q}`,
		id, secret, time.Now().UTC().Format(time.RFC3339))
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// The oauth_audit push endpoint (behind the oauth_safe_errors middleware, as
// for OTLP HTTP: its 400 names the offending field and quotes the value, which
// may be a misplaced token): unauthenticated requests are refused (HMAC
// and bearertokenauth), malformed, truncated, oversized, mistyped and
// invalid UTF-8 bodies get a clear 4xx or the documented pass-through, the
// collector survives, and no secret (of the events, the HMAC key or the
// bearer token) appears in any answer or log line.
func TestBadInputAuditPush(t *testing.T) {
	s := newSecrets(t)
	hmacKey := randomToken(t, "hk_", 40)
	pushToken := randomToken(t, "pt_", 40)
	cfg := `
extensions:
  # The one fingerprint key of this collector (contract section 3);
  # oauth_redact and oauth_security read it from here.
  oauth_fingerprint:
    key: ${env:OAUTH_FINGERPRINT_KEY}
  health_check:
    endpoint: localhost:13133
  bearertokenauth/push:
    token: ${env:FAULT_PUSH_TOKEN}
  # The push receiver's 400 quotes the offending field value: mask it.
  oauth_safe_errors: {}
receivers:
  oauth_audit/hmac:
    push:
      endpoint: localhost:4320
      max_request_body_size: 1048576
      middlewares:
        - id: oauth_safe_errors
      hmac:
        secret: ${env:FAULT_HMAC_KEY}
  oauth_audit/bearer:
    push:
      endpoint: localhost:4321
      auth:
        authenticator: bearertokenauth/push
      middlewares:
        - id: oauth_safe_errors
processors:
  oauth_redact:
    fingerprint: oauth_fingerprint
exporters:
  debug:
    verbosity: detailed
service:
  telemetry:
    metrics:
      level: none
  extensions: [health_check, bearertokenauth/push, oauth_safe_errors, oauth_fingerprint]
  pipelines:
    logs:
      receivers: [oauth_audit/hmac, oauth_audit/bearer]
      processors: [oauth_redact]
      exporters: [debug]
`
	cfg, ports := testutil.OnFreePorts(t, cfg)
	col := testutil.Start(t, testutil.WriteConfig(t, cfg), "FAULT_HMAC_KEY="+hmacKey, "FAULT_PUSH_TOKEN="+pushToken)
	health := fmt.Sprintf("http://localhost:%d/", ports["13133"])
	col.WaitHealthy(health, 60*time.Second)
	hmacURL := fmt.Sprintf("http://localhost:%d/v1/audit", ports["4320"])
	bearerURL := fmt.Sprintf("http://localhost:%d/v1/audit", ports["4321"])
	secretsAll := append(s.all(), hmacKey, pushToken)

	do := func(t *testing.T, url, contentType string, header map[string]string, body []byte) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	alive := func(t *testing.T) {
		t.Helper()
		resp, err := http.Get(health)
		require.NoError(t, err, "health check unreachable: the collector died")
		resp.Body.Close()
		require.False(t, col.Exited())
	}

	good := []byte(auditEvent("ok-1", s.refresh))
	huge := []byte("[" + strings.Repeat(auditEvent("big", s.github)+",", (2<<20)/300) + auditEvent("big-last", s.github) + "]")
	type tc struct {
		name, url, contentType string
		header                 map[string]string
		body                   []byte
		want                   int
	}
	signed := func(b []byte) map[string]string { return map[string]string{"X-Signature-256": sign(hmacKey, b)} }
	badJSON := []byte(`{"id":"m1","action":"token.issued","detail":"access_token=` + s.bearer + `",`)
	truncated := good[:len(good)-20]
	ndjsonBadTime := []byte(auditEvent("n1", s.refresh) + "\n" + `{"id":"n2","action":"token.issued","created_at":"` + s.github + `"}`)
	wrongType := []byte("access_token=" + s.bearer + "&refresh_token=" + s.refresh)
	invalidUTF8 := []byte(`{"id":"u1","action":"token.refreshed","detail":"bad ` + "\xff\xfe" + ` refresh_token=` + s.refresh + `","created_at":"` + time.Now().UTC().Format(time.RFC3339) + `"}`)
	cases := []tc{
		// Authentication.
		{"hmac: no signature", hmacURL, "application/json", nil, good, 401},
		{"hmac: wrong key", hmacURL, "application/json", map[string]string{"X-Signature-256": sign("not-the-key", good)}, good, 401},
		{"hmac: garbage signature", hmacURL, "application/json", map[string]string{"X-Signature-256": "sha256=" + s.github}, good, 401},
		{"hmac: signature of another body", hmacURL, "application/json", signed([]byte("{}")), good, 401},
		{"bearer: none", bearerURL, "application/json", nil, good, 401},
		{"bearer: wrong token", bearerURL, "application/json", map[string]string{"Authorization": "Bearer " + s.bearer}, good, 401},
		// Bad bodies, authenticated so that the parser sees them.
		{"malformed JSON", hmacURL, "application/json", signed(badJSON), badJSON, 400},
		{"truncated JSON", hmacURL, "application/json", signed(truncated), truncated, 400},
		{"bad field echoing a secret", hmacURL, "application/x-ndjson", signed(ndjsonBadTime), ndjsonBadTime, 400},
		{"huge body (2 MiB over a 1 MiB limit)", hmacURL, "application/json", signed(huge), huge, 413},
		{"wrong content type, form body", hmacURL, "application/x-www-form-urlencoded", signed(wrongType), wrongType, 400},
		{"bearer: malformed JSON", bearerURL, "application/json", map[string]string{"Authorization": "Bearer " + pushToken}, badJSON, 400},
		{"wrong method", hmacURL, "application/json", nil, nil, 405},
		// Documented pass-through: the content type is not checked (the body
		// is JSON, one event, array or NDJSON, whatever the header says), and
		// invalid UTF-8 inside a JSON string decodes to U+FFFD.
		{"valid JSON as text/plain", hmacURL, "text/plain", signed(good), good, 200},
		{"invalid UTF-8", hmacURL, "application/json", signed(invalidUTF8), invalidUTF8, 200},
		{"bearer: good", bearerURL, "application/json", map[string]string{"Authorization": "Bearer " + pushToken}, []byte(auditEvent("ok-2", s.github)), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var code int
			var body string
			if c.name == "wrong method" {
				resp, err := http.Get(c.url)
				require.NoError(t, err)
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				code, body = resp.StatusCode, string(b)
			} else {
				code, body = do(t, c.url, c.contentType, c.header, c.body)
			}
			assert.Equal(t, c.want, code, "answer: %.300s", body)
			assertNoSecret(t, "answer", body, secretsAll...)
			t.Logf("%d %.160s", code, strings.TrimSpace(body))
			alive(t)
		})
	}
	// The accepted events reach the debug exporter, fingerprinted.
	require.Eventually(t, func() bool {
		out := col.Output()
		return strings.Contains(out, "ok-1") && strings.Contains(out, "ok-2") && strings.Contains(out, "Str(u1)")
	}, 30*time.Second, 200*time.Millisecond, "accepted audit events never reached the debug exporter")
	require.NoError(t, col.Stop(30*time.Second))
	out := col.Output()
	assertNoSecret(t, "collector log", out, secretsAll...)
	assert.NotContains(t, out, "panic")
}
