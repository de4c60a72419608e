package oauthnormalize

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const benchSpans = 1000

// ordinaryTraffic is a batch of spans no vocabulary claims: requests to an
// app (a SERVER root with HTTP attributes, its own /token and /register
// among them) with CLIENT and INTERNAL children.
func ordinaryTraffic() ptrace.Traces {
	b := newBatch("shop")
	routes := []string{"/api/items/{id}", "/token", "/register", "/checkout", "/.well-known/security.txt"}
	for b.spans.Len() < benchSpans {
		i := b.spans.Len()
		root := b.server("GET", kv{"http.request.method", "GET"}, kv{"http.route", routes[i%len(routes)]},
			kv{"url.path", fmt.Sprintf("/api/items/%d", i)}, kv{"http.response.status_code", 200},
			kv{"server.address", "shop.example"}, kv{"user_agent.original", "Mozilla/5.0"})
		db := b.child(root, "SELECT items", 1)
		db.Attributes().PutStr("db.system", "postgresql")
		db.Attributes().PutStr("db.statement", "SELECT * FROM items WHERE id = $1")
		out := b.child(root, "GET", 2)
		out.SetKind(ptrace.SpanKindClient)
		out.Attributes().PutStr("http.request.method", "POST")
		out.Attributes().PutStr("url.full", "https://as.example/oauth2/token")
		b.child(root, "render", 3)
		b.child(root, "cache.get", 4)
	}
	return b.td
}

// BenchmarkUnclaimedSpans: spans that match no vocabulary. Goal: zero
// allocations, at least 2M spans/s on one core (-cpu 1).
func BenchmarkUnclaimedSpans(b *testing.B) {
	n, _ := newTestNormalizer(b, func(c *Config) { c.Vocabularies.GenericHTTP.AuthorizationServers = []string{"idp"} })
	td := ordinaryTraffic()
	spans := td.SpanCount()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n.traces(b, td)
	}
	b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
}

// oauthTraffic is a batch where one request in four is OAuth: AuthPlane
// requests with service spans, Keycloak-style token requests, discovery
// and bare endpoints of a learned authorization server.
func oauthTraffic() ptrace.Traces {
	td := ordinaryTraffic()
	b := &batch{td: td, spans: td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()}
	as := newBatch("zitadel-op")
	as.td.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	asSpans := td.ResourceSpans().At(1).ScopeSpans().At(0).Spans()
	asb := &batch{td: td, spans: asSpans}
	ap := newBatch("authplane")
	ap.td.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	apb := &batch{td: td, spans: td.ResourceSpans().At(2).ScopeSpans().At(0).Spans()}
	for i := 0; i < benchSpans/4/3; i++ {
		asb.httpSpan("GET", "/.well-known/openid-configuration", 200)
		asb.httpSpan("POST", "/token", 200)
		b.httpSpan("POST", "/realms/r/protocol/openid-connect/token", 400)
		apb.child(apb.httpSpan("POST", "/token", 200), "TokenService.ExchangeCode", 1)
	}
	return td
}

func BenchmarkMixedOAuthSpans(b *testing.B) {
	n, _ := newTestNormalizer(b, nil)
	tmpl := oauthTraffic()
	spans := tmpl.SpanCount()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		td := ptrace.NewTraces()
		tmpl.CopyTo(td)
		b.StartTimer()
		n.traces(b, td)
	}
	b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
}

func BenchmarkUnclaimedLogs(b *testing.B) {
	n, _ := newTestNormalizer(b, nil)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range benchSpans {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr("request served")
		put(lr.Attributes(), []kv{{"type", "REQUEST"}, {"msg", "request served"}, {"status", 200}, {"path", fmt.Sprint("/x/", i)}})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n.logs(b, ld)
	}
	b.ReportMetric(float64(b.N*benchSpans)/b.Elapsed().Seconds(), "records/s")
}
