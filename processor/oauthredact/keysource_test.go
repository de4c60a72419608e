package oauthredact

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/keysource"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/keyhost"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
)

const oldKey = "old-key-0123456789abcdef0123456789abcdef"

// startWithKeys starts a traces redactor on the extension's keys.
func startWithKeys(t *testing.T, key string, previous []string) (processor.Traces, *consumertest.TracesSink) {
	t.Helper()
	cfg := testConfig()
	cfg.FingerprintKey, cfg.Fingerprint = "", &keyhost.ID
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), testSettings(), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), keyhost.New(t, key, previous, nil)))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, sink
}

func refreshSpan(token string) ptrace.Traces {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.Attributes().PutStr(contract.AttrOperation, contract.OpRefresh)
	sp.Attributes().PutStr(contract.AttrRefreshToken, token)
	sp.Attributes().PutStr(contract.AttrState, "st-"+token)
	return td
}

func TestKeyFromExtension(t *testing.T) {
	p, sink := startWithKeys(t, testkey.Key, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), refreshSpan("rt-raw-value-1")))
	attrs := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	v, _ := attrs.Get(contract.AttrRefreshToken)
	assert.Equal(t, fp("rt-raw-value-1"), v.Str())
	_, has := attrs.Get(contract.AttrPreviousFingerprints)
	assert.False(t, has, "no previous keys, no previous fingerprints")
}

func TestPreviousKeyFingerprintsTravel(t *testing.T) {
	p, sink := startWithKeys(t, testkey.Key, []string{oldKey})
	require.NoError(t, p.ConsumeTraces(context.Background(), refreshSpan("rt-raw-value-2")))
	attrs := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	old := contract.NewFingerprinter(oldKey)
	assert.Equal(t, []string{old.Fingerprint("rt-raw-value-2")}, contract.PreviousFingerprints(attrs, contract.AttrRefreshToken))
	assert.Equal(t, []string{old.Fingerprint("st-rt-raw-value-2")}, contract.PreviousFingerprints(attrs, contract.AttrState))
	v, _ := attrs.Get(contract.AttrRefreshToken)
	assert.Equal(t, fp("rt-raw-value-2"), v.Str(), "new fingerprints use the current key")

	// A second pass (the gateway after the agent) adds nothing and keeps them.
	td := sink.AllTraces()[0]
	before, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	after, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(sink.AllTraces()[1])
	assert.Equal(t, before, after, "redaction twice changes nothing")
}

func TestKeysMustAgree(t *testing.T) {
	// Another component of this collector already fingerprints with another key.
	other := component.MustNewIDWithName("oauth_security", "other")
	require.NoError(t, keysource.Claim(other, keysource.Keys{Current: oldKey}))
	defer keysource.Release(other)
	cfg := testConfig() // deprecated fingerprint_key = testkey.Key
	p, err := NewFactory().CreateTraces(context.Background(), testSettings(), cfg, new(consumertest.TracesSink))
	require.NoError(t, err)
	err = p.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "oauth_security/other")
	assert.Contains(t, err.Error(), "oauth_redact")
	assert.False(t, strings.Contains(err.Error(), testkey.Key) || strings.Contains(err.Error(), oldKey), "a key in an error")
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestFingerprintRefErrors(t *testing.T) {
	cfg := testConfig()
	cfg.Fingerprint = &keyhost.ID
	require.ErrorContains(t, cfg.Validate(), "fingerprint_key: remove it")
	cfg.FingerprintKey = ""
	bad := component.MustNewID("health_check")
	cfg.Fingerprint = &bad
	require.ErrorContains(t, cfg.Validate(), `fingerprint: "health_check" is not an oauth_fingerprint extension`)
	// mask and remove need no key
	cfg.Fingerprint, cfg.Action = nil, ActionMask
	require.NoError(t, cfg.Validate())
}
