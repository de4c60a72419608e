package oauthaudit

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// FuzzOktaPage feeds arbitrary System Log answers (body and Link header)
// through the page parser and every event through the event parser and the
// mapping: no panic; a parsed event maps to one record with its uuid and
// eventType; a next link, when found, is a substring of the header.
func FuzzOktaPage(f *testing.F) {
	for _, s := range []struct{ body, link string }{
		{`[]`, `<https://o.okta.com/api/v1/logs?after=1>; rel="next"`},
		{`[{"uuid":"a","published":"2024-01-01T00:00:00.000Z","eventType":"app.oauth2.as.token.detect_reuse","outcome":{"result":"FAILURE"}}]`, `<x>; rel="self", <y>; rel=next`},
		{`[{"uuid":"b","published":"2024-01-01T00:00:00Z","eventType":"app.oauth2.as.token.grant.access_token","debugContext":{"debugData":{"grantType":"refresh_token","n":1,"o":{}}},"client":{"id":"c"},"target":[{"id":"t","type":"AppInstance"}]}]`, ``},
		{`[1, "x", null, {}]`, `<`},
		{`{"errorCode":"E0000047"}`, `<a>;rel="prev next";x=y`},
		{`[{"uuid":"c","published":"x","eventType":"y","actor":{"id":7}}]`, `;;,,<>`},
	} {
		f.Add([]byte(s.body), s.link)
	}
	src := &oktaSource{limit: 10}
	f.Fuzz(func(t *testing.T, body []byte, link string) {
		h := http.Header{}
		h.Add("Link", link)
		raws, next, err := src.parsePage(body, h)
		if err != nil {
			return
		}
		if next != "" && !strings.Contains(link, next) {
			t.Fatalf("next link %q not in the header", next)
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
			lr := sl.At(sl.Len() - 1)
			if id, _ := lr.Attributes().Get(contract.AttrAuditID); id.Str() != ev.id || ev.id == "" {
				t.Fatalf("record id %q, event id %q", id.Str(), ev.id)
			}
			if a, _ := lr.Attributes().Get(contract.AttrAuditAction); a.Str() != lr.Body().Str() {
				t.Fatal("action and body differ")
			}
		}
	})
}

// FuzzOktaEvent feeds arbitrary LogEvent objects through the parser and the
// mapping: no panic, errors are FieldErrors, a reuse verdict is always a
// refresh with status reuse_detected and a reported token_reuse.
func FuzzOktaEvent(f *testing.F) {
	for _, s := range []string{
		`{"uuid":"a","published":"2024-01-01T00:00:00.000Z","eventType":"app.oauth2.token.detect_reuse"}`,
		`{"uuid":"a","published":"2024-01-01T00:00:00+02:00","eventType":"app.oauth2.as.token.revoke","outcome":{"result":"SUCCESS","reason":"manual"},"actor":{"id":"u","type":"User","alternateId":"a@b"}}`,
		`{"uuid":"","published":"","eventType":""}`, `{`, `[]`, `{"uuid":{}}`,
		`{"uuid":"z","published":"2024-01-01T00:00:00Z","eventType":"e","debugContext":{"debugData":{"a b":"c","ok":true,"x":"\u00ff"}}}`,
	} {
		f.Add([]byte(s))
	}
	src := &oktaSource{limit: 10}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := src.parseEvent(raw)
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("error %T is not a FieldError", err)
			}
			return
		}
		sl := plog.NewLogRecordSlice()
		src.appendRecord(sl, &ev, time.Unix(0, 0))
		a := sl.At(0).Attributes()
		if typ := ev.data.(*oktaEvent).EventType; typ == contract.OktaDetectReuse || typ == contract.OktaOrgDetectReuse {
			st, _ := a.Get(contract.AttrStatus)
			rep, _ := a.Get(contract.AttrReportedEventType)
			op, _ := a.Get(contract.AttrOperation)
			if st.Str() != contract.StatusReuseDetected || rep.Str() != contract.EventTokenReuse || op.Str() != contract.OpRefresh {
				t.Fatalf("a reuse verdict mapped to %v", a.AsRaw())
			}
		}
	})
}
