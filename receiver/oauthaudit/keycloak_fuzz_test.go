package oauthaudit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// FuzzKeycloakEvent feeds arbitrary events through the parser and the
// record: no panic; an error is a FieldError; a parsed event has an id (its
// own or a digest), a positive time and its type as event name; a detail
// never becomes an attribute outside kc.details.* and the contract's
// credential attributes.
func FuzzKeycloakEvent(f *testing.F) {
	for _, s := range []string{
		`{"id":"e1","time":1765000000000,"type":"REFRESH_TOKEN_ERROR","realmId":"r","clientId":"web","error":"invalid_token","details":{"refresh_token_id":"rt","reason":"Maximum allowed refresh token reuse exceeded"}}`,
		`{"time":1765000000000,"type":"LOGIN","details":{"code_id":"s","Bad Key":"x","code":"raw-code"}}`,
		`{"time":0,"type":"LOGIN"}`,
		`{"time":1,"type":"","details":null}`,
		`[1]`, `"x"`, `{"time":1e30,"type":"X"}`,
	} {
		f.Add([]byte(s))
	}
	src := &keycloakSource{realm: "acme"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := parseKeycloakEvent(raw)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FieldError", err)
			}
			return
		}
		if ev.id == "" || !ev.at.After(time.Unix(0, 0)) {
			t.Fatalf("parsed event without id or time: %+v", ev)
		}
		sl := plog.NewLogRecordSlice()
		src.appendRecord(sl, &ev, time.Unix(0, 0))
		lr := sl.At(0)
		if lr.EventName() != ev.data.(*keycloakEvent).Type {
			t.Fatal("event name is not the type")
		}
		lr.Attributes().Range(func(k string, _ pcommon.Value) bool {
			if !strings.HasPrefix(k, contract.KeycloakDetailsPrefix) && contract.SecretParamAttr(k) == "" && !kcTopLevel[k] {
				t.Fatalf("unexpected attribute %q", k)
			}
			return true
		})
	})
}

// kcTopLevel are the attributes of a Keycloak record besides its details.
var kcTopLevel = map[string]bool{
	contract.AttrAuditID: true, contract.KeycloakEventID: true, contract.KeycloakRealmID: true,
	contract.KeycloakRealmName: true, contract.KeycloakClientID: true, contract.KeycloakUserID: true,
	contract.KeycloakSessionID: true, contract.KeycloakIPAddress: true, contract.KeycloakEventError: true,
}
