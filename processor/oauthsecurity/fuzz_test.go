package oauthsecurity

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

// FuzzInspect feeds arbitrary attribute values to every rule: no panic, and
// a raw secret never survives on the record.
func FuzzInspect(f *testing.F) {
	f.Add(contract.OpRefresh, "success", "normal", "rt-raw-1", "fp:AAAAAAAAAAAAAAAAAAAAAA", "SECURITY_EVENT", "oauth_refresh_token_reuse_detected", byte(1))
	f.Add(contract.OpCallback, "", "", "[REDACTED]", "fp:!!", "", "", byte(0))
	f.Add(contract.OpPKCEValidate, "failure", "user_mismatch", "", "", "", "pkce_replay_detected", byte(2))
	f.Add(contract.OpDiscovery, "", "", "x", "https://iss", "OAUTH_EVENT", "", byte(3))
	d, err := newDetector(testConfig(), processortest.NewNopSettings(metadata.Type))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op, status, reason, secret, other, typ, event string, trace byte) {
		td := ptrace.NewTraces()
		sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{trace})
		a := sp.Attributes()
		a.PutStr(contract.AttrOperation, op)
		a.PutStr(contract.AttrStatus, status)
		a.PutStr(contract.AttrReason, reason)
		for _, k := range []string{contract.AttrRefreshToken, contract.AttrCode, contract.AttrState, contract.AttrCodeVerifier} {
			a.PutStr(k, secret)
		}
		a.PutStr(contract.AttrIss, other)
		a.PutStr(contract.AttrProvider, other)
		a.PutStr(contract.AttrIntegrityViolation, other)
		a.PutStr("type", typ)
		a.PutStr("action", event)
		a.PutStr("event", event)
		a.PutStr(contract.AttrReportedEventType, event)
		if _, err := d.processTraces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
		ld := plog.NewLogs()
		a.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes())
		if _, err := d.processLogs(context.Background(), ld); err != nil {
			t.Fatal(err)
		}
		if op != "" && !contract.IsFingerprint(secret) && !masked(secret) {
			isUse := false
			switch op {
			case contract.OpRefresh, contract.OpToken, contract.OpCallback:
				isUse = true
			}
			success := status == "" || status == "success"
			if v, _ := a.Get(contract.AttrRefreshToken); isUse && v.Str() == secret && op == contract.OpRefresh && success && (reason == "" || reason == "normal") {
				t.Fatalf("raw refresh token left on a refresh it was used in")
			}
			if (op == contract.OpToken || op == contract.OpCallback) && success {
				for _, k := range []string{contract.AttrCode, contract.AttrCodeVerifier} {
					if v, _ := a.Get(k); v.Str() == secret {
						t.Fatalf("raw %s left on a %s it was used in", k, op)
					}
				}
			}
			if v, _ := a.Get(contract.AttrState); op == contract.OpCallback && success && v.Str() == secret {
				t.Fatalf("raw state left on a callback it was used in")
			}
		}
	})
}
