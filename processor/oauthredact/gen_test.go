package oauthredact

import (
	"encoding/base64"
	"math/rand/v2"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// randToken returns a random URL-safe token of n bytes.
func randToken(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenAlphabet[rng.IntN(len(tokenAlphabet))]
	}
	return string(b)
}

// randJWT returns a random JWS-shaped token.
func randJWT(rng *rand.Rand) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","kid":"`+randToken(rng, 8)+`"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"`+randToken(rng, 12)+`","exp":1700000000}`)) + "." +
		randToken(rng, 43)
}

var operations = []string{"authorize", "callback", "token", "refresh", "revoke", "pkce.create", "pkce.validate", "discovery"}

// fillCleanSpan gives span an OAuth-shaped but secret-free content.
func fillCleanSpan(span ptrace.Span, i int) {
	op := operations[i%len(operations)]
	span.SetName("POST /oauth/" + op)
	span.SetKind(ptrace.SpanKindServer)
	span.SetTraceID(pcommon.TraceID{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	span.SetSpanID(pcommon.SpanID{byte(i), 1, 2, 3, 4, 5, 6, 7})
	a := span.Attributes()
	a.PutStr("oauth.operation", op)
	a.PutStr("oauth.provider", "github")
	a.PutStr("oauth.status", "success")
	a.PutStr("oauth.grant_type", "authorization_code")
	a.PutStr("http.request.method", "POST")
	a.PutStr("url.full", "https://auth.example.com/oauth/"+op+"?page=2&sort=asc&client_id=web-app")
	a.PutStr("url.path", "/oauth/"+op)
	a.PutInt("http.response.status_code", 200)
	a.PutStr("server.address", "auth.example.com")
	a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
	a.PutStr("enduser.id", "user-"+strconv.Itoa(i))
	a.PutStr("http.request.header.content-type", "application/x-www-form-urlencoded")
	a.PutStr("state", "active")
	ev := span.Events().AppendEmpty()
	ev.SetName("log")
	ev.Attributes().PutStr("message", "token issued for client web-app, expires in 3600s")
}

// fillSecretSpan adds secrets in the usual places and returns them.
func fillSecretSpan(rng *rand.Rand, span ptrace.Span, i int) []string {
	fillCleanSpan(span, i)
	code, state, rt := randToken(rng, 32), randToken(rng, 24), randToken(rng, 40)
	jwt := randJWT(rng)
	a := span.Attributes()
	a.PutStr("url.full", "https://app.example.com/callback?code="+code+"&state="+state+"&iss=https%3A%2F%2Fauth.example.com")
	a.PutStr("oauth.refresh_token", rt)
	a.PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + jwt)
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage("invalid_grant: refresh token " + rt + " was already used")
	return []string{code, state, rt, jwt}
}

// oauthBatch returns n spans of which about a third carry secrets.
func oauthBatch(seed uint64, n int) (ptrace.Traces, []string) {
	rng := rand.New(rand.NewPCG(seed, 3))
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "auth-server")
	rs.Resource().Attributes().PutStr("oauth.client_id", "web-app")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("github.com/example/auth")
	var secrets []string
	for i := range n {
		span := ss.Spans().AppendEmpty()
		if i%3 == 0 {
			secrets = append(secrets, fillSecretSpan(rng, span, i)...)
		} else {
			fillCleanSpan(span, i)
		}
	}
	return td, secrets
}
