package contract

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func attrs(kv ...string) pcommon.Map {
	m := pcommon.NewMap()
	for i := 0; i+1 < len(kv); i += 2 {
		m.PutStr(kv[i], kv[i+1])
	}
	return m
}

func TestSide(t *testing.T) {
	none := pcommon.NewMap()
	cases := []struct {
		rec, res pcommon.Map
		kind     ptrace.SpanKind
		want     string
	}{
		{attrs(AttrSide, "server"), none, ptrace.SpanKindClient, SideServer},
		{none, attrs(AttrSide, "client"), ptrace.SpanKindServer, SideClient},
		{none, none, ptrace.SpanKindClient, SideClient},
		{none, none, ptrace.SpanKindServer, SideServer},
		{none, none, ptrace.SpanKindInternal, SideUnspecified},
		{attrs(AttrSide, "both"), none, ptrace.SpanKindServer, SideUnspecified},
		// The client's operations without oauth.side (section 2).
		{attrs(AttrOperation, OpCallback), none, ptrace.SpanKindServer, SideClient},
		{attrs(AttrOperation, OpPKCECreate), none, ptrace.SpanKindUnspecified, SideClient},
		{none, attrs(AttrOperation, OpPKCECleanup), ptrace.SpanKindServer, SideClient},
		{attrs(AttrOperation, OpCallback, AttrSide, SideServer), none, ptrace.SpanKindClient, SideServer},
		{attrs(AttrOperation, OpPKCEValidate), none, ptrace.SpanKindServer, SideServer},
		{attrs(AttrOperation, OpToken), none, ptrace.SpanKindServer, SideServer},
	}
	for i, c := range cases {
		if got := Side(c.rec, c.res, c.kind); got != c.want {
			t.Errorf("case %d: got %q want %q", i, got, c.want)
		}
	}
}

func TestStatusAndReasonDefaults(t *testing.T) {
	none := pcommon.NewMap()
	if s := Status(none, none, OpAuthorize, ptrace.StatusCodeUnset); s != StatusInitiated {
		t.Errorf("authorize default %q", s)
	}
	if s := Status(none, none, OpRefresh, ptrace.StatusCodeOk); s != StatusSuccess {
		t.Errorf("refresh default %q", s)
	}
	if s := Status(none, none, OpRefresh, ptrace.StatusCodeError); s != StatusFailure {
		t.Errorf("error span %q", s)
	}
	if s := Status(attrs(AttrStatus, "reuse_detected"), none, OpRefresh, ptrace.StatusCodeError); s != StatusReuseDetected {
		t.Errorf("explicit status %q", s)
	}
	if r := Reason(none, none, OpRefresh, StatusSuccess); r != ReasonNormal {
		t.Errorf("refresh reason %q", r)
	}
	if r := Reason(none, none, OpPKCEValidate, StatusSuccess); r != ReasonValid {
		t.Errorf("pkce reason %q", r)
	}
	if r := Reason(none, none, OpRefresh, StatusFailure); r != "" {
		t.Errorf("failed refresh reason %q", r)
	}
	if b := Bound("weird", Statuses); b != Other {
		t.Errorf("bound %q", b)
	}
}

// A refresh the app reports as reuse_detected without a reason gets reason
// reuse_detected, as a detected reuse does; other operations keep none.
func TestReasonOfReuseDetected(t *testing.T) {
	none := pcommon.NewMap()
	if r := Reason(none, none, OpRefresh, StatusReuseDetected); r != ReasonReuseDetected {
		t.Errorf("reported reuse reason %q", r)
	}
	if r := Reason(attrs(AttrReason, ReasonException), none, OpRefresh, StatusReuseDetected); r != ReasonException {
		t.Errorf("explicit reason %q", r)
	}
	if r := Reason(none, none, OpRevoke, StatusReuseDetected); r != "" {
		t.Errorf("revoke reason %q", r)
	}
}

// The value rules agree with the lookups: a record value wins over the
// resource's, an empty record value included.
func TestValueRulesMatchLookups(t *testing.T) {
	res := attrs(AttrSide, SideServer, AttrStatus, StatusFailure, AttrReason, ReasonNoRecord)
	for _, rec := range []pcommon.Map{pcommon.NewMap(), attrs(AttrSide, "", AttrStatus, "", AttrReason, ""), attrs(AttrSide, "x")} {
		side, _ := Lookup(rec, res, AttrSide)
		if got, want := Side(rec, res, ptrace.SpanKindClient), SideOf(side.AsString(), "", ptrace.SpanKindClient); got != want {
			t.Errorf("side %q want %q", got, want)
		}
		status, _ := Lookup(rec, res, AttrStatus)
		if got, want := Status(rec, res, OpRefresh, ptrace.StatusCodeUnset), StatusOf(status.AsString(), OpRefresh, ptrace.StatusCodeUnset); got != want {
			t.Errorf("status %q want %q", got, want)
		}
		reason, _ := Lookup(rec, res, AttrReason)
		if got, want := Reason(rec, res, OpRefresh, StatusSuccess), ReasonOf(reason.AsString(), OpRefresh, StatusSuccess); got != want {
			t.Errorf("reason %q want %q", got, want)
		}
	}
}
