package oauthnormalize

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// hydraNames are the span and event names the Hydra vocabulary reads.
var hydraNames = []string{
	contract.HydraSpanNewAccessRequest, contract.HydraSpanNewAccessResponse, contract.HydraSpanNewAuthorizeRequest,
	contract.HydraSpanNewAuthorizeResponse, contract.HydraSpanNewRevocationRequest, contract.HydraSpanIntrospectToken,
	contract.HydraSpanGetRefreshTokenSession, contract.HydraSpanGetAuthorizeCodeSession, contract.HydraSpanRotateRefreshToken,
	contract.HydraSpanGetConcreteClient, contract.HydraSpanAuthenticateClient, contract.HydraSpanHandleAuthorization,
	contract.HydraSpanRequestAuthentication, contract.HydraSpanVerifyAuthentication, contract.HydraSpanVerifyConsent,
	contract.HydraEventAccessTokenIssued, contract.HydraEventTokenExchangeError, contract.HydraEventAccessTokenRevoked,
	contract.HydraEventAccessTokenInspected, contract.HydraEventClientCreated, "persistence.sql.x", "Fosite.", "",
	contract.HydraPathAuth, contract.HydraPathToken, contract.HydraPathRevoke, contract.HydraPathIntrospect,
	contract.HydraPathRegister, contract.HydraPathDiscovery, contract.HydraPathJWKS,
}

// FuzzHydra feeds malformed Hydra-shaped requests: a root of Hydra's scope
// (or not) named after a Hydra path, children with Hydra's span names,
// random statuses, parents (missing, cyclic, the root's own), attributes of
// any type and Hydra events on any span. Never a panic, never a dropped
// span, never an attribute of the root changed.
func FuzzHydra(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 2}, "x", uint8(0), uint8(0))
	f.Add([]byte{36, 0, 53, 37, 1, 54}, "/oauth2/token", uint8(0x91), uint8(7))
	f.Add([]byte{38, 2, 1, 39, 0, 59}, "token_inactive", uint8(0x33), uint8(0xff))
	f.Fuzz(func(t *testing.T, data []byte, s string, shape, layout uint8) {
		n, _ := newTestNormalizer(t, nil)
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "Ory Hydra")
		ss := rs.ScopeSpans().AppendEmpty()
		if shape&1 == 0 {
			ss.Scope().SetName(contract.HydraScope)
		}
		spans := ss.Spans()
		trace := pcommon.TraceID{0xa, shape}
		root := spans.AppendEmpty()
		root.SetKind(ptrace.SpanKindServer)
		root.SetTraceID(trace)
		root.SetSpanID(pcommon.SpanID{1})
		root.SetName(hydraNames[int(shape>>1)%len(hydraNames)])
		fill(root.Attributes(), data, s)
		kids := 1 + int(layout%7)
		for i := 0; i < kids; i++ {
			c := spans.AppendEmpty()
			c.SetTraceID(trace)
			c.SetSpanID(pcommon.SpanID{2, byte(i)})
			c.SetName(hydraNames[(int(layout)+i*int(shape|1))%len(hydraNames)])
			switch (int(layout>>3) + i) % 4 {
			case 0:
				c.SetParentSpanID(root.SpanID())
			case 1:
				c.SetParentSpanID(pcommon.SpanID{2, byte(i)}) // itself
			case 2:
				c.SetParentSpanID(pcommon.SpanID{9, byte(i)}) // not in the batch
			default:
				c.SetParentSpanID(pcommon.SpanID{2, byte((i + 1) % kids)}) // a cycle or a sibling
			}
			if (int(shape)+i)%3 == 0 {
				c.Status().SetCode(ptrace.StatusCodeError)
				c.Status().SetMessage(s)
			}
			fill(c.Attributes(), data[min(i, len(data)):], s)
			carrier := c
			if layout&0x80 != 0 {
				carrier = root
			}
			ev := carrier.Events().AppendEmpty()
			ev.SetName(hydraNames[(int(shape)+i)%len(hydraNames)])
			fill(ev.Attributes(), data[len(data)/2:], s)
		}
		before := root.Attributes().AsRaw()
		n.traces(t, td)
		if got := spans.Len(); got != kids+1 {
			t.Fatalf("spans dropped: %d", got)
		}
		keep(t, before, root.Attributes())
	})
}
