package oauthsecurity

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
)

const newKey = "new-key-0123456789abcdef0123456789abcdef"

// rotatedRefresh is a successful refresh presenting token, fingerprinted
// under the new key, carrying its old-key fingerprint when withPrevious.
func rotatedRefresh(h *harness, trace byte, token string, withPrevious bool) ptrace.Span {
	h.t.Helper()
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(traceID(trace))
	sp.SetSpanID(pcommon.SpanID{trace, 1})
	sp.SetKind(srv)
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(h.clock))
	sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	sp.Attributes().PutStr(contract.AttrRefreshToken, contract.NewFingerprinter(newKey).Fingerprint(token))
	if withPrevious {
		contract.PutPreviousFingerprints(sp.Attributes(), contract.AttrRefreshToken, []string{fp(token)})
	}
	out, err := h.d.processTraces(context.Background(), td)
	require.NoError(h.t, err)
	return out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

// rotate gives the detector the new key, the old one listed as previous,
// as a restart on the rotated extension does.
func rotate(h *harness) {
	h.d.fp = contract.NewFingerprinter(newKey)
	h.d.prev = []*contract.Fingerprinter{contract.NewFingerprinter(testkey.Key)}
}

func TestRotationFlagsAReplayOfATokenUsedUnderTheOldKey(t *testing.T) {
	h := newHarness(t, nil)
	h.span(refresh(1, fp("rt-old")))   // first use, under the old key
	h.span(refresh(2, fp("rt-other"))) // another family
	rotate(h)
	h.clock = h.clock.Add(time.Minute)

	replay := rotatedRefresh(h, 3, "rt-old", true)
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(replay.Attributes()))
	_, carried := replay.Attributes().Get(contract.AttrPreviousFingerprints)
	assert.False(t, carried, "previous fingerprints are removed before the record goes on")

	// The hit was recorded under the new key: a later replay without the
	// old-key fingerprint is still a reuse.
	h.clock = h.clock.Add(time.Minute)
	again := rotatedRefresh(h, 4, "rt-old", false)
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(again.Attributes()))
}

func TestRotationWithoutPreviousFingerprintsForgets(t *testing.T) {
	// What a gateway forgets when the old key is dropped early: the same
	// replay, without the old-key fingerprint, is a first use.
	h := newHarness(t, nil)
	h.span(refresh(1, fp("rt-old")))
	rotate(h)
	h.clock = h.clock.Add(time.Minute)
	assert.Nil(t, findings(rotatedRefresh(h, 3, "rt-old", false).Attributes()))
}

func TestRotationRawSecretGetsPreviousFingerprintsHere(t *testing.T) {
	// A raw token that reaches the processor itself during a rotation is
	// matched against its old-key history too.
	h := newHarness(t, nil)
	h.span(refresh(1, fp("rt-raw")))
	rotate(h)
	h.clock = h.clock.Add(time.Minute)
	sp := h.span(refresh(2, "rt-raw").after(time.Minute))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(sp.Attributes()))
	assert.Equal(t, contract.NewFingerprinter(newKey).Fingerprint("rt-raw"), str(sp.Attributes(), contract.AttrRefreshToken))
	_, carried := sp.Attributes().Get(contract.AttrPreviousFingerprints)
	assert.False(t, carried)
}

func TestPreviousFingerprintsRemovedFromEveryRecord(t *testing.T) {
	// Not an OAuth record, yet it carries them: they still never leave.
	h := newHarness(t, nil)
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	contract.PutPreviousFingerprints(sp.Attributes(), contract.AttrState, []string{fp("x")})
	out, err := h.d.processTraces(context.Background(), td)
	require.NoError(t, err)
	_, carried := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get(contract.AttrPreviousFingerprints)
	assert.False(t, carried)
}
