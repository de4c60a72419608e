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
