package oauthsecurity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

var (
	srv = ptrace.SpanKindServer
	cli = ptrace.SpanKindClient
)

func TestRefreshTokenReuse(t *testing.T) {
	h := newHarness(t, nil)
	first := h.span(refresh(1, fp("rt-A")))
	assert.Nil(t, findings(first.Attributes()))
	h.clock = h.clock.Add(time.Minute)
	replay := h.span(refresh(2, fp("rt-A")).after(time.Minute))
	a := replay.Attributes()
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(a))
	assert.Equal(t, contract.EventTokenReuse, str(a, contract.AttrSecurityEventType))
	assert.Equal(t, contract.SeverityCritical, str(a, contract.AttrSecuritySeverity))
	assert.Equal(t, ruleRefreshReuse, str(a, contract.AttrSecurityRuleName))
	assert.Equal(t, contract.StatusReuseDetected, str(a, contract.AttrStatus))
	assert.Equal(t, contract.ReasonReuseDetected, str(a, contract.AttrReason))
	require.Equal(t, 1, replay.Events().Len())
	ev := replay.Events().At(0)
	assert.Equal(t, "oauth_refresh_token_reuse_detected", ev.Name())
	assert.Equal(t, contract.SourceDetected, str(ev.Attributes(), contract.AttrFindingSource))
}

func TestRefreshTokenGrantOnTokenOperation(t *testing.T) {
	h := newHarness(t, nil)
	r := op(1, srv, contract.OpToken, contract.AttrGrantType, contract.GrantRefreshToken, contract.AttrRefreshToken, fp("rt"))
	h.span(r)
	r.trace, r.span = 2, 2
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.span(r).Attributes()))
}

func TestBenignConcurrentRefreshInGraceWindow(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ReuseGracePeriod = 2 * time.Second })
	h.span(refresh(1, fp("rt-A")))
	// Two tabs refresh the same token 500 ms apart: tolerated.
	assert.Nil(t, findings(h.span(refresh(2, fp("rt-A")).after(500*time.Millisecond)).Attributes()))
	// The app resolving the race itself says so: never a reuse.
	assert.Nil(t, findings(h.span(refresh(3, fp("rt-A"), contract.AttrReason, contract.ReasonConcurrentSuccess).after(5*time.Second)).Attributes()))
	// Outside the window it is a reuse.
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.span(refresh(4, fp("rt-A")).after(3*time.Second)).Attributes()))
}

func TestBenignClockSkewBetweenServices(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ReuseGracePeriod = 2 * time.Second })
	// Instance B's clock is 1.5 s behind A's: the later refresh carries an
	// earlier time. Concurrent, so no finding.
	h.span(refresh(1, fp("rt-A")).after(10 * time.Second))
	assert.Nil(t, findings(h.span(refresh(2, fp("rt-A")).after(8500*time.Millisecond)).Attributes()))
	// Records stamped far from the processing clock still work.
	h.clock = t0.Add(-time.Hour)
	h.span(refresh(3, fp("rt-B")))
	assert.Nil(t, findings(h.span(refresh(4, fp("rt-B")).after(time.Second)).Attributes()))
}

func TestBenignRetriedRequestThatFailedFirst(t *testing.T) {
	h := newHarness(t, nil)
	// Refresh failed (network), retried with the same token: one use.
	assert.Nil(t, findings(h.span(refresh(1, fp("rt-A")).failed()).Attributes()))
	assert.Nil(t, findings(h.span(refresh(2, fp("rt-A"), contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonException)).Attributes()))
	assert.Nil(t, findings(h.span(refresh(3, fp("rt-A")).after(time.Second)).Attributes()))
	// Code exchange failed once, retried in another trace and succeeded.
	tok := func(tr byte) rec {
		return op(tr, srv, contract.OpToken, contract.AttrGrantType, contract.GrantAuthorizationCode,
			contract.AttrCode, fp("code-1"), contract.AttrCodeVerifier, fp("ver-1"))
	}
	assert.Nil(t, findings(h.span(tok(10).failed()).Attributes()))
	assert.Nil(t, findings(h.span(tok(11)).Attributes()))
	// The failed attempt's record arriving late changes nothing either.
	assert.Nil(t, findings(h.span(tok(12).failed()).Attributes()))
}

func TestBenignSameUserTwoDevices(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 5 {
		at := time.Duration(i) * time.Second
		for dev, tok := range []string{"laptop", "phone"} {
			r := refresh(byte(10*i+dev+1), fp(tok+string(rune('a'+i))), contract.AttrEnduserID, "alice").after(at)
			assert.Nil(t, findings(h.span(r).Attributes()))
		}
	}
}

func TestBenignClientAndServerSpansOfOneRefresh(t *testing.T) {
	h := newHarness(t, nil)
	c := refresh(1, fp("rt-A"))
	c.kind = cli
	s := refresh(1, fp("rt-A"))
	s.kind, s.span = srv, 2
	for _, sp := range h.spans(c, s) {
		assert.Nil(t, findings(sp.Attributes()))
	}
	// Also when their traces are not linked: each side is its own world.
	c2, s2 := refresh(3, fp("rt-B")), refresh(4, fp("rt-B"))
	c2.kind = cli
	c2.attrs[contract.AttrSide] = contract.SideClient
	assert.Nil(t, findings(h.span(c2).Attributes()))
	assert.Nil(t, findings(h.span(s2).Attributes()))
}

func TestBenignSameUseSeenTwice(t *testing.T) {
	h := newHarness(t, nil)
	r := refresh(1, fp("rt-A"))
	h.span(r)
	// Redelivered batch, and the app's log line of the same refresh.
	assert.Nil(t, findings(h.span(r).Attributes()))
	lr := refresh(1, fp("rt-A"), contract.AttrSide, contract.SideServer)
	assert.Nil(t, findings(h.log(lr).Attributes()))
	// Without trace context, records of one secret within a second are one
	// use: two log lines of one rotation, or the log line of a traced span.
	nt := refresh(0, fp("rt-L"))
	h.log(nt)
	assert.Nil(t, findings(h.log(nt).Attributes()))
	assert.Nil(t, findings(h.log(nt.after(5*time.Millisecond)).Attributes()))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.log(nt.after(time.Minute)).Attributes()))
	h.span(refresh(7, fp("rt-S"), contract.AttrSide, contract.SideUnspecified))
	assert.Nil(t, findings(h.log(refresh(0, fp("rt-S")).after(300*time.Millisecond)).Attributes()))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.span(refresh(8, fp("rt-S"), contract.AttrSide, contract.SideUnspecified).after(400*time.Millisecond)).Attributes()))
}

func TestCodeInjection(t *testing.T) {
	h := newHarness(t, nil)
	cb := func(tr byte) rec {
		return op(tr, srv, contract.OpCallback, contract.AttrCode, fp("code-1"), contract.AttrState, fp("state-"+string(rune('a'+tr))))
	}
	tok := op(1, cli, contract.OpToken, contract.AttrCode, fp("code-1"))
	tok.span = 2
	// Callback and its token exchange in one trace: one redemption.
	for _, sp := range h.spans(cb(1), tok) {
		assert.Nil(t, findings(sp.Attributes()))
	}
	sp := h.span(cb(2))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(sp.Attributes()))
	assert.Equal(t, ruleCodeReuse, str(sp.Attributes(), contract.AttrSecurityRuleName))
	// A reuse of a code does not touch oauth.status.
	_, has := sp.Attributes().Get(contract.AttrStatus)
	assert.False(t, has)
}

func TestCodeRedeemedAfterPKCEFailure(t *testing.T) {
	h := newHarness(t, nil)
	// Validation failed, the code was redeemed anyway.
	h.span(op(1, ptrace.SpanKindInternal, contract.OpPKCEValidate, contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonInvalidHash))
	sp := h.span(op(1, srv, contract.OpCallback, contract.AttrCode, fp("c1")))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(sp.Attributes()))
	assert.Equal(t, ruleCodeAfterPKCEFail, str(sp.Attributes(), contract.AttrSecurityRuleName))
	// Other order: the redemption arrives first.
	h.span(op(2, srv, contract.OpCallback, contract.AttrCode, fp("c2")))
	v := h.span(op(2, ptrace.SpanKindInternal, contract.OpPKCEValidate, contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonExpired))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(v.Attributes()))
	// Benign: validation failed and the callback failed too.
	h.span(op(3, ptrace.SpanKindInternal, contract.OpPKCEValidate, contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonNotFound))
	assert.Nil(t, findings(h.span(op(3, srv, contract.OpCallback, contract.AttrCode, fp("c3")).failed()).Attributes()))
}

func TestPKCEUserMismatch(t *testing.T) {
	h := newHarness(t, nil)
	sp := h.span(op(1, srv, contract.OpPKCEValidate, contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonUserMismatch))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(sp.Attributes()))
	assert.Equal(t, rulePKCEUserMismatch, str(sp.Attributes(), contract.AttrSecurityRuleName))
	assert.Nil(t, findings(h.span(op(2, srv, contract.OpPKCEValidate)).Attributes()))
}

func TestStateReuse(t *testing.T) {
	h := newHarness(t, nil)
	h.span(op(1, srv, contract.OpAuthorize, contract.AttrState, fp("st")))
	assert.Nil(t, findings(h.span(op(1, srv, contract.OpCallback, contract.AttrState, fp("st"))).Attributes()))
	sp := h.span(op(2, srv, contract.OpCallback, contract.AttrState, fp("st")))
	assert.Equal(t, []string{contract.EventIntegrityViolation}, findings(sp.Attributes()))
	assert.Equal(t, contract.SeverityHigh, str(sp.Attributes(), contract.AttrSecuritySeverity))
	assert.Equal(t, contract.ViolationStateReuse, str(sp.Attributes(), contract.AttrIntegrityViolation))
	// A failed callback is not a use.
	h.span(op(3, srv, contract.OpCallback, contract.AttrState, fp("st2")).failed())
	assert.Nil(t, findings(h.span(op(4, srv, contract.OpCallback, contract.AttrState, fp("st2"))).Attributes()))
}

func TestOwnershipViolation(t *testing.T) {
	h := newHarness(t, nil)
	sp := h.span(refresh(1, fp("rt"), contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonOwnershipFailed))
	assert.Equal(t, []string{contract.EventOwnershipViolation}, findings(sp.Attributes()))
	assert.Nil(t, findings(h.span(refresh(2, fp("rt2"), contract.AttrStatus, contract.StatusFailure, contract.AttrReason, contract.ReasonNoRecord)).Attributes()))
}

func TestPKCEReplay(t *testing.T) {
	h := newHarness(t, nil)
	tok := func(tr byte, code string) rec {
		return op(tr, srv, contract.OpToken, contract.AttrCode, fp(code), contract.AttrCodeVerifier, fp("verifier-1"))
	}
	h.span(tok(1, "c1"))
	sp := h.span(tok(2, "c2"))
	assert.Equal(t, []string{contract.EventPKCEReplay}, findings(sp.Attributes()))
	// Replaying code and verifier together: both, code_injection the most severe.
	sp = h.span(tok(3, "c1"))
	assert.ElementsMatch(t, []string{contract.EventCodeInjection, contract.EventPKCEReplay}, findings(sp.Attributes()))
	assert.Equal(t, contract.EventCodeInjection, str(sp.Attributes(), contract.AttrSecurityEventType))
	assert.Equal(t, 2, sp.Events().Len())
}

func TestMixUp(t *testing.T) {
	h := newHarness(t, nil)
	h.span(op(1, cli, contract.OpDiscovery, contract.AttrProvider, "github", contract.AttrIss, "https://github.com"))
	h.span(op(2, cli, contract.OpDiscovery, contract.AttrProvider, "evil", contract.AttrIss, "https://evil.example"))
	cb := func(tr byte, iss string) rec {
		r := op(tr, srv, contract.OpCallback, contract.AttrProvider, "github", contract.AttrIss, iss)
		r.attrs[contract.AttrSide] = contract.SideClient
		return r
	}
	assert.Nil(t, findings(h.span(cb(3, "https://github.com")).Attributes()))
	sp := h.span(cb(4, "https://evil.example"))
	assert.Equal(t, []string{contract.EventMixUp}, findings(sp.Attributes()))
	assert.Equal(t, ruleIssuerMismatch, str(sp.Attributes(), contract.AttrSecurityRuleName))
	// Records without a provider are not compared: two unlabelled
	// providers of one client are not a mix-up.
	h.span(op(10, cli, contract.OpDiscovery, contract.AttrIss, "https://as-one.example"))
	nop := cb(11, "https://as-two.example")
	delete(nop.attrs, contract.AttrProvider)
	assert.Nil(t, findings(h.span(nop).Attributes()))
	// Unknown provider: nothing to compare with.
	r := cb(5, "https://x")
	r.attrs[contract.AttrProvider] = "gitlab"
	assert.Nil(t, findings(h.span(r).Attributes()))
	// Issuer metadata is public: a side that never ran discovery compares
	// with the issuer another side learned.
	s := cb(6, "https://evil.example")
	s.attrs[contract.AttrSide] = contract.SideServer
	assert.Equal(t, []string{contract.EventMixUp}, findings(h.span(s).Attributes()))
	s2 := cb(7, "https://github.com")
	s2.attrs[contract.AttrSide] = contract.SideServer
	assert.Nil(t, findings(h.span(s2).Attributes()))
	// A side's own discovery wins over another side's.
	h.span(op(8, srv, contract.OpDiscovery, contract.AttrSide, contract.SideServer, contract.AttrProvider, "github", contract.AttrIss, "https://github.example/enterprise"))
	s3 := cb(9, "https://github.example/enterprise")
	s3.attrs[contract.AttrSide] = contract.SideServer
	assert.Nil(t, findings(h.span(s3).Attributes()))
}

func TestMaskedValuesNeverCorrelated(t *testing.T) {
	h := newHarness(t, nil)
	for i, v := range []string{"[REDACTED]", "****", "", "<redacted>", "xxxx", "MASKED"} {
		h.span(refresh(byte(2*i+1), v))
		sp := h.span(refresh(byte(2*i+2), v).after(time.Minute))
		assert.Nil(t, findings(sp.Attributes()), v)
		assert.Equal(t, v, str(sp.Attributes(), contract.AttrRefreshToken))
	}
	// Non-string values neither.
	r := op(52, srv, contract.OpRefresh)
	sp := h.spans(r)[0]
	sp.Attributes().PutInt(contract.AttrRefreshToken, 42)
	assert.Nil(t, findings(sp.Attributes()))
}

func TestRawSecretFingerprintedNeverKept(t *testing.T) {
	h := newHarness(t, nil)
	raw := "rt-raw-secret-value-1234567890"
	sp := h.span(refresh(1, raw))
	assert.Equal(t, fp(raw), str(sp.Attributes(), contract.AttrRefreshToken))
	// The raw value and its fingerprint are the same secret.
	r := refresh(2, fp(raw))
	delete(r.attrs, contract.AttrRefreshToken)
	r.attrs["refresh_token"] = raw
	sp = h.span(r)
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(sp.Attributes()))
	assert.Equal(t, fp(raw), str(sp.Attributes(), "refresh_token"))
	sp.Attributes().Range(func(_ string, v pcommon.Value) bool {
		assert.NotContains(t, v.AsString(), raw)
		return true
	})
}

func TestFindingRecordsSkipped(t *testing.T) {
	h := newHarness(t, nil)
	h.span(refresh(1, fp("rt")))
	lr := refresh(2, fp("rt"), contract.AttrFindingSource, contract.SourceDetected, contract.AttrStatus, contract.StatusReuseDetected)
	out := h.log(lr)
	assert.Nil(t, findings(out.Attributes()))
	assert.Equal(t, 1, h.d.st.Len())
}

func TestTTLExpiry(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RefreshTokenTTL = time.Hour })
	h.span(refresh(1, fp("rt")))
	h.clock = h.clock.Add(2 * time.Hour)
	assert.Nil(t, findings(h.span(refresh(2, fp("rt")).after(2*time.Hour)).Attributes()))
	h.span(op(3, srv, contract.OpToken, contract.AttrCode, fp("c")).after(2 * time.Hour))
	h.clock = h.clock.Add(11 * time.Minute)
	assert.Nil(t, findings(h.span(op(4, srv, contract.OpToken, contract.AttrCode, fp("c")).after(2*time.Hour+11*time.Minute)).Attributes()))
	assert.Equal(t, 4, h.d.st.Len())
	h.d.st.sweep(h.clock.Add(2 * time.Hour).UnixMilli())
	assert.Zero(t, h.d.st.Len())
}

func TestMaxEntriesEvictsOldest(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxEntries = 3 })
	for i, tok := range []string{"a", "b", "c", "d"} {
		h.span(refresh(byte(i+1), fp(tok)))
	}
	assert.Equal(t, int64(1), h.d.st.evictions)
	assert.Equal(t, 3, h.d.st.Len())
	// "a" went out first; "b" is still tracked.
	assert.Nil(t, findings(h.span(refresh(10, fp("a"))).Attributes()))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.span(refresh(11, fp("c"))).Attributes()))
}

func TestBadInputNoPanic(t *testing.T) {
	h := newHarness(t, nil)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutEmptySlice(contract.AttrOperation)
	ss := rs.ScopeSpans().AppendEmpty()
	sp := ss.Spans().AppendEmpty()
	sp.Attributes().PutEmptyMap(contract.AttrRefreshToken)
	sp.Attributes().PutInt(contract.AttrStatus, 3)
	sp.Attributes().PutEmptyBytes(contract.AttrCode)
	sp.Attributes().PutStr(contract.AttrSecurityFindings, "not-a-slice")
	sp2 := ss.Spans().AppendEmpty()
	sp2.Attributes().PutStr(contract.AttrOperation, contract.OpCallback)
	sp2.Attributes().PutStr(contract.AttrCode, "fp:!!!!!!!!!!!!!!!!!!!!!!")
	sp2.Attributes().PutStr(contract.AttrIntegrityViolation, "hash_mismatch")
	sp2.Attributes().PutEmptySlice(contract.AttrSecurityFindings).AppendEmpty().SetInt(7)
	assert.NotPanics(t, func() { h.d.processTraces(t.Context(), td) })
	assert.Contains(t, findings(sp2.Attributes()), contract.EventIntegrityViolation)
}

func TestBenignCallbackHandlerAndServerTokenUnlinked(t *testing.T) {
	h := newHarness(t, nil)
	// The client's redirect handler (a SERVER span, no oauth.side) and the
	// AS's token endpoint (a SERVER span) redeem one code in unlinked traces.
	h.span(op(1, cli, contract.OpDiscovery, contract.AttrProvider, "gh", contract.AttrIss, "https://gh"))
	cb := op(2, srv, contract.OpCallback, contract.AttrCode, fp("c"), contract.AttrState, fp("s"), contract.AttrProvider, "gh", contract.AttrIss, "https://gh")
	as := op(3, srv, contract.OpToken, contract.AttrGrantType, contract.GrantAuthorizationCode, contract.AttrCode, fp("c"))
	assert.Nil(t, findings(h.span(cb).Attributes()))
	assert.Nil(t, findings(h.span(as).Attributes()))
	// A mix-up is still seen on such a callback.
	bad := op(4, srv, contract.OpCallback, contract.AttrProvider, "gh", contract.AttrIss, "https://evil")
	assert.Equal(t, []string{contract.EventMixUp}, findings(h.span(bad).Attributes()))
}

func TestSecretKeysCaseInsensitive(t *testing.T) {
	h := newHarness(t, nil)
	h.span(refresh(1, fp("rt")))
	r := op(2, srv, contract.OpRefresh, "OAuth.Refresh_Token", fp("rt"))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(h.span(r).Attributes()))
	// Keys secret only with the prefix stay prefixed: a bare "code" is data.
	h.span(op(3, srv, contract.OpToken, contract.AttrCode, fp("c")))
	assert.Nil(t, findings(h.span(op(4, srv, contract.OpToken, "code", fp("c"))).Attributes()))
}

// TestFingerprintLookAlikeIsARawSecret: contract v2 section 3. "fp:short" is
// not a fingerprint but a raw value that starts with fp:, so the processor
// fingerprints it like any raw secret before use: a replay of it is a reuse,
// and the raw value never stays on the record.
func TestFingerprintLookAlikeIsARawSecret(t *testing.T) {
	h := newHarness(t, nil)
	first := h.span(refresh(50, "fp:short"))
	assert.Equal(t, fp("fp:short"), str(first.Attributes(), contract.AttrRefreshToken))
	h.clock = h.clock.Add(time.Minute)
	sp := h.span(refresh(51, "fp:short").after(time.Minute))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(sp.Attributes()))
	assert.Equal(t, fp("fp:short"), str(sp.Attributes(), contract.AttrRefreshToken))
}
