package oauthnormalize

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// fuzzKeys are the keys the vocabularies read, so random input reaches
// every branch.
var fuzzKeys = []string{
	"type", "action", "event", "operation", "clientId", "client_id", "userId", "provider",
	"oauth.audit.action", "oauth.audit.detail", "oauth.audit.detail.reuse_detection", "oauth.reason",
	"msg", "grant_type", "sub", "trace_id", "span_id", "oauth.operation", "oauth.finding.source",
	"http.route", "url.path", "http.target", "url.query", "http.request.method", "http.method",
	"http.response.status_code", "http.status_code", "service.name",
	"kc.eventId", "kc.clientId", "kc.userId", "kc.eventError", "kc.details.reason", "kc.details.code_id",
	"kc.details.grant_type", "kc.details.refresh_token_id",
	"error", "error.reason", "error.debug", "OAuth2ClientID", "OAuth2GrantType", "OAuth2RefreshTokenSignature",
}

// fuzzValues are the values the vocabularies know, mixed with anything.
var fuzzValues = []string{
	"SECURITY_EVENT", "OAUTH_EVENT", "oauth_refresh_token_reuse_detected", "token_refresh_success",
	"family.revoked", "token.issued", "token issued", "refresh_token", "POST", "GET",
	"/token", "/oauth2/token", "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/x",
	"/.well-known/", "/", "", "?", "401", "0000000000000000000000000000000a", "00000000000000ab",
	"LOGIN", "LOGIN_ERROR", "CODE_TO_TOKEN_ERROR", "REFRESH_TOKEN_ERROR", "LOGOUT", "invalid_code",
	"pkce_verification_failed", "client_not_found", "Maximum allowed refresh token reuse exceeded",
	"/realms/{realm}/protocol/{protocol}/auth",
	"/oauth2/auth", "/admin/oauth2/introspect", "token_inactive", "not_found", "invalid_grant", "invalid_client",
	"The refresh token was already used.", "The authorization code has already been used.",
	"The PKCE code challenge did not match the code verifier.", "Authorization code has ben invalidated",
	"the OAuth 2.0 Authorization request must be aborted",
}

// fill puts attributes chosen by data: key, type and value from each
// group of bytes; the string may be a known value, the input itself, or a
// huge one.
func fill(m pcommon.Map, data []byte, s string) {
	for i := 0; i+2 < len(data); i += 3 {
		k := fuzzKeys[int(data[i])%len(fuzzKeys)]
		v := fuzzValues[int(data[i+2])%len(fuzzValues)]
		switch data[i+1] % 7 {
		case 0:
			m.PutStr(k, v)
		case 1:
			m.PutStr(k, s)
		case 2:
			m.PutInt(k, int64(data[i+2])*7)
		case 3:
			m.PutBool(k, data[i+2]%2 == 0)
		case 4:
			m.PutDouble(k, float64(data[i+2])+0.5)
		case 5:
			m.PutEmptyMap(k).PutStr(v, s)
		case 6:
			m.PutStr(k, strings.Repeat(v+s, 1+int(data[i+2])%64))
		}
	}
}

// FuzzNormalize feeds records of random attributes, wrong types, huge
// values and unknown names through both signals: never a panic, never a
// dropped record, and the record's own attributes keep their values.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 2}, "x", uint8(0))
	f.Add([]byte{18, 0, 10, 17, 0, 13}, "/token", uint8(1))
	f.Add([]byte{8, 0, 4, 10, 1, 0}, "reuse_detection", uint8(2))
	f.Add([]byte{12, 0, 6, 13, 0, 7, 15, 0, 19}, "token issued", uint8(3))
	f.Add([]byte{20, 0, 11, 24, 0, 8, 27, 0, 11}, "SERVER", uint8(4))
	f.Add([]byte{28, 0, 0, 31, 0, 27, 32, 0, 28, 33, 0, 0}, "u1", uint8(21<<3|2))
	f.Add([]byte{28, 0, 0, 33, 0, 29, 35, 0, 1}, "rt1", uint8(23<<3|4))
	f.Fuzz(func(t *testing.T, data []byte, s string, shape uint8) {
		n, _ := newTestNormalizer(t, func(c *Config) { c.Vocabularies.GenericHTTP.AuthorizationServers = []string{s + "x"} })

		b := newBatch("")
		fill(b.td.ResourceSpans().At(0).Resource().Attributes(), data[len(data)/2:], s)
		root := b.server(s)
		fill(root.Attributes(), data, s)
		if shape&1 != 0 {
			root.SetParentSpanID([8]byte{shape})
			root.SetFlags(uint32(shape) << 4)
		}
		svc := b.child(root, fuzzValues[int(shape)%len(fuzzValues)]+s, shape)
		if shape&2 != 0 {
			svc.SetName("TokenService." + s)
		}
		fill(svc.Attributes(), data[len(data)/3:], s)
		// A Keycloak span event on the service span (26.3) or the root.
		carrier := svc
		if shape&4 != 0 {
			carrier = root
		}
		ev := carrier.Events().AppendEmpty()
		ev.SetName(fuzzValues[int(shape>>3)%len(fuzzValues)])
		fill(ev.Attributes(), data[len(data)/4:], s)
		before := root.Attributes().AsRaw()
		n.traces(t, b.td)
		if got := b.spans.Len(); got != 2 {
			t.Fatalf("spans dropped: %d", got)
		}
		keep(t, before, root.Attributes())

		ld := plog.NewLogs()
		lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(fuzzValues[int(shape)%len(fuzzValues)])
		fill(lr.Attributes(), data, s)
		lbefore := lr.Attributes().AsRaw()
		n.logs(t, ld)
		if lrs.Len() != 1 {
			t.Fatal("log record dropped")
		}
		keep(t, lbefore, lr.Attributes())
	})
}

// keep fails when an attribute present before changed or went.
func keep(t *testing.T, before map[string]any, after pcommon.Map) {
	t.Helper()
	got := after.AsRaw()
	for k, v := range before {
		if _, ok := got[k]; !ok {
			t.Fatalf("attribute %q removed", k)
		}
		if _, isMap := v.(map[string]any); !isMap && got[k] != v {
			t.Fatalf("attribute %q overwritten", k)
		}
	}
}
