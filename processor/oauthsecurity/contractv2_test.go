package oauthsecurity

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// oauth.pkce.reason on a code exchange is a pkce.validate as well (contract
// section 1): a code redeemed with a PKCE failure is code_injection.
func TestExchangePKCEReasonIsAValidation(t *testing.T) {
	exchange := func(trace byte, code, reason string) rec {
		return op(trace, ptrace.SpanKindServer, contract.OpToken, contract.AttrGrantType, contract.GrantAuthorizationCode,
			contract.AttrCode, fp(code), contract.AttrPKCEReason, reason)
	}
	h := newHarness(t, nil)
	assert.Nil(t, findings(h.span(exchange(1, "c1", contract.ReasonValid)).Attributes()), "a valid check is no finding")
	sp := h.span(exchange(2, "c2", contract.ReasonInvalidHash))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(sp.Attributes()))
	assert.Equal(t, ruleCodeAfterPKCEFail, str(sp.Attributes(), contract.AttrSecurityRuleName))
	sp = h.span(exchange(3, "c3", contract.ReasonUserMismatch))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(sp.Attributes()))
	assert.Equal(t, rulePKCEUserMismatch, str(sp.Attributes(), contract.AttrSecurityRuleName))
	// Refused by the server: no redemption, no finding.
	assert.Nil(t, findings(h.span(exchange(4, "c4", contract.ReasonInvalidHash).failed()).Attributes()))
}

// introspect feeds no detection rule; a finding reported on it counts.
func TestIntrospectFeedsNoRule(t *testing.T) {
	h := newHarness(t, nil)
	intro := op(1, ptrace.SpanKindServer, contract.OpIntrospect, contract.AttrRefreshToken, fp("rt"), contract.AttrCode, fp("c"))
	assert.Nil(t, findings(h.span(intro).Attributes()))
	intro.trace, intro.span = 2, 2
	assert.Nil(t, findings(h.span(intro).Attributes()), "presenting the same token again is no reuse")
	intro.trace, intro.span = 3, 3
	intro.attrs[contract.AttrReportedEventType] = contract.EventTokenReuse
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.span(intro).Attributes()))
}

// A callback without oauth.side is the client's for detection as for
// counting: the same state at the client's callback and at a server's
// callback-named SERVER span of another side are different worlds, while two
// callbacks of the client reuse it.
func TestCallbackWithoutSideIsClient(t *testing.T) {
	h := newHarness(t, nil)
	cb := func(trace byte, kv ...string) rec {
		return op(trace, ptrace.SpanKindServer, contract.OpCallback, append([]string{contract.AttrState, fp("st")}, kv...)...)
	}
	assert.Nil(t, findings(h.span(cb(1, contract.AttrSide, contract.SideServer)).Attributes()))
	assert.Nil(t, findings(h.span(cb(2)).Attributes()), "the client's first use")
	assert.Equal(t, []string{contract.EventIntegrityViolation}, findings(h.span(cb(3, contract.AttrSide, contract.SideClient)).Attributes()))
}
