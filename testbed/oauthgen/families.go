package oauthgen

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// FamilySource emits one successful server-side refresh for each of N
// token families, each presenting its family's own raw refresh token: after
// it, oauth_security tracks N live families. Payloads hold Batch spans.
type FamilySource struct {
	Seed  uint64
	N     int
	Batch int
	Start time.Time

	src  *secretSource
	next int
}

// Next implements Source.
func (f *FamilySource) Next() (Payload, bool) {
	if f.src == nil {
		s := newSecretSource(f.Seed ^ 0xfa111e5)
		f.src = &s
		if f.Batch <= 0 {
			f.Batch = 1000
		}
		if f.Start.IsZero() {
			f.Start = time.Now()
		}
	}
	if f.next >= f.N {
		return Payload{}, false
	}
	n := min(f.Batch, f.N-f.next)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "auth-server")
	rs.Resource().Attributes().PutStr(contract.AttrClientID, "mcp-client")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	spans.EnsureCapacity(n)
	provs := []string{"github", "google", "authplane"}
	for i := f.next; i < f.next+n; i++ {
		sp := spans.AppendEmpty()
		sp.SetName(contract.OpRefresh)
		var tid pcommon.TraceID
		binary.BigEndian.PutUint64(tid[0:8], f.Seed|1)
		binary.BigEndian.PutUint64(tid[8:16], uint64(i)+1)
		sp.SetTraceID(tid)
		sp.SetSpanID(pcommon.SpanID(tid[8:16]))
		sp.SetKind(ptrace.SpanKindServer)
		end := f.Start.Add(time.Duration(i) * time.Microsecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-20 * time.Millisecond)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
		a := sp.Attributes()
		prov := provs[i%len(provs)]
		a.PutStr(contract.AttrOperation, contract.OpRefresh)
		a.PutStr(contract.AttrProvider, prov)
		a.PutStr(contract.AttrEnduserID, fmt.Sprintf("user-%d", i))
		a.PutStr(contract.AttrRefreshToken, f.src.raw(KindRefresh, prov, fmt.Sprintf("family-%d", i)))
	}
	f.next += n
	p, err := Marshal(Request{Signal: Traces, Traces: td, Records: n})
	return p, err == nil
}
