package oauthaudit

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// checkAuth0Record asserts what every mapped Auth0 log holds: its id, the
// provider, and for a ferrt the reuse verdict.
func checkAuth0Record(t *testing.T, ev *pagedEvent, lr plog.LogRecord) {
	a := lr.Attributes()
	if id, _ := a.Get(contract.AttrAuditID); id.Str() != ev.id || ev.id == "" {
		t.Fatalf("record id %q, log id %q", id.Str(), ev.id)
	}
	if p, _ := a.Get(contract.AttrProvider); p.Str() != contract.ProviderAuth0 {
		t.Fatal("provider missing")
	}
	if ev.data.(*auth0Log).Type == contract.Auth0RotatingRefreshFailure {
		st, _ := a.Get(contract.AttrStatus)
		rep, _ := a.Get(contract.AttrReportedEventType)
		op, _ := a.Get(contract.AttrOperation)
		if st.Str() != contract.StatusReuseDetected || rep.Str() != contract.EventTokenReuse || op.Str() != contract.OpRefresh {
			t.Fatalf("a ferrt mapped to %v", a.AsRaw())
		}
	}
}

// FuzzAuth0Page feeds arbitrary Management API answers (body and Link
// header) through the page parser, and every log through the log parser and
// the mapping: no panic; errors are FieldErrors; the next URL is the Link
// target or a URL of the configured tenant's logs endpoint.
func FuzzAuth0Page(f *testing.F) {
	for _, s := range []struct{ body, link string }{
		{`[]`, `<https://t.auth0.com/api/v2/logs?from=1&take=10>; rel="next"`},
		{`[{"log_id":"90020260101","date":"2026-01-01T00:00:00.000Z","type":"ferrt","client_id":"c","user_id":"u","details":{"a":1,"b":{}}}]`, ``},
		{`[{"log_id":"2","date":"2026-01-01T00:00:00Z","type":"seacft"},{"log_id":"10","date":"x","type":"s"}]`, `<x>; rel=self`},
		{`[1, "x", null, {}]`, `<`},
		{`{"statusCode":429}`, ``},
	} {
		f.Add([]byte(s.body), s.link)
	}
	src, err := newAuth0Source("https://t.auth0.com", 10, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, link string) {
		h := http.Header{}
		h.Add("Link", link)
		raws, next, err := src.parsePage(body, h)
		if err != nil {
			return
		}
		if next != "" && !strings.Contains(link, next) && src.checkNext(next) != nil {
			t.Fatalf("next URL %q is neither the Link target nor the tenant's", next)
		}
		sl := plog.NewLogRecordSlice()
		for _, raw := range raws {
			ev, err := src.parseEvent(raw)
			if err != nil {
				if _, ok := err.(*FieldError); !ok {
					t.Fatalf("parseEvent error %T is not a FieldError", err)
				}
				continue
			}
			src.appendRecord(sl, &ev, time.Unix(0, 0))
			checkAuth0Record(t, &ev, sl.At(sl.Len()-1))
		}
	})
}

// FuzzAuth0Stream feeds arbitrary log stream bodies through the push
// decoder: no panic; either an error naming a line, or every record mapped
// once with its log_id, and a replay of the same body is all duplicates.
func FuzzAuth0Stream(f *testing.F) {
	for _, s := range []string{
		`{"log_id":"1","data":{"date":"2026-01-01T00:00:00Z","type":"ferrt","details":{"refresh_token":"x"}}}`,
		`[{"log_id":"1","data":{"date":"2026-01-01T00:00:00Z","type":"s"}},{"log_id":"2","data":{"log_id":"3","date":"2026-01-01T00:00:00+01:00","type":"srrt"}}]`,
		"{\"log_id\":\"1\",\"data\":{}}\n{\"data\":{\"log_id\":\"9\",\"date\":\"2026-01-01T00:00:00Z\",\"type\":\"sertft\"}}",
		`{"log_id":"1","data":null}`, `[]`, ``, `{`, `[{"log_id":1}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		decode := decodeAuth0Stream(newSeenSet(seenCapacity))
		b, err := decode(body, time.Unix(0, 0))
		if err != nil {
			if _, ok := err.(*BodyError); !ok {
				t.Fatalf("error %T is not a BodyError", err)
			}
			return
		}
		if b.logs.LogRecordCount() != b.n {
			t.Fatalf("%d records for n=%d", b.logs.LogRecordCount(), b.n)
		}
		b.settle(true)
		again, err := decode(body, time.Unix(0, 0))
		if err != nil || again.n != 0 || again.dups != b.n+b.dups {
			t.Fatalf("a replay delivered %d (dups %d, first %d+%d, err %v)", again.n, again.dups, b.n, b.dups, err)
		}
	})
}
