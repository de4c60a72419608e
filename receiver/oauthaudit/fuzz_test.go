package oauthaudit

import (
	"testing"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// FuzzParseBody feeds arbitrary push bodies (single event, array, NDJSON)
// through the parser and the contract mapping: no panic, and either an error
// that names a line or events that all map to one record each with their
// action.
func FuzzParseBody(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","action":"token.issued","client_id":"c","created_at":"2026-11-22T11:00:00Z"}`,
		`[{"action":"family.revoked","detail":"reuse_detection family=f1","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}]`,
		"{\"action\":\"a\"}\n{\"action\":\"b\",\"detail\":\"q=\\\"x y\\\" z\"}\n",
		`{"action":"x","id":12.5e3,"created_at":"2026-11-22T11:00:00.123456789+02:00"}`,
		`[`, `]`, `{}`, `[{}]`, `"s"`, "\n\n", `{"action":null}`, `{"action":"x"} junk`,
		`{"action":"x","detail":"=== a= =b \"\" q=\"unterminated"}`,
		`{"action":"x","detail":"a=1 oauth.code=\"c d\" refresh_token= state=\"unterminated"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := parseBody(body)
		if err != nil {
			be, ok := err.(*BodyError)
			if !ok || be.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		if len(events) == 0 {
			t.Fatal("no error and no events")
		}
		ld := toLogs(events, "fuzz", time.Unix(0, 0))
		if ld.LogRecordCount() != len(events) {
			t.Fatalf("%d records for %d events", ld.LogRecordCount(), len(events))
		}
		recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i, ev := range events {
			if ev.Action == "" || ev.ID == "" {
				t.Fatalf("event %d without action or id", i)
			}
			v, ok := recs.At(i).Attributes().Get(contract.AttrAuditAction)
			if !ok || v.Str() != ev.Action {
				t.Fatalf("record %d lost its action", i)
			}
			plain := 0
			for _, e := range parseDetail(ev.Detail) {
				if e.secret == "" {
					plain++
				} else if !e.flag && (e.start > e.end || e.end > len(ev.Detail)) {
					t.Fatal("credential span outside the detail")
				}
			}
			if plain > maxDetailAttrs {
				t.Fatal("detail attributes not bounded")
			}
		}
	})
}
