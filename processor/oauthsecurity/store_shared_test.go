package oauthsecurity

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
)

// sharedHarness is one gateway's detector on the shared state at addr.
func sharedHarness(t *testing.T, addr, prefix string) *harness {
	t.Helper()
	h := newHarness(t, func(c *Config) {
		s := c.SharedState.GetOrInsertDefault()
		s.Endpoint, s.KeyPrefix = addr, prefix
		s.Timeout = 2 * time.Second // a shared, loaded test machine
		s.RetryInterval = 200 * time.Millisecond
	})
	require.NoError(t, h.d.startShared(context.Background()))
	t.Cleanup(func() { _ = h.d.stopShared() })
	return h
}

func reused(sp ptrace.Span) bool {
	return assert.ObjectsAreEqual([]string{contract.EventTokenReuse}, findings(sp.Attributes()))
}

// A token rotated at one gateway and replayed at another is flagged there,
// and the replayed refresh's status becomes reuse_detected.
func TestSharedReplayAtAnotherGateway(t *testing.T) {
	r := testutil.StartRedis(t)
	a, b := sharedHarness(t, r.Addr, "t1"), sharedHarness(t, r.Addr, "t1")
	require.Empty(t, findings(a.span(refresh(1, "rt-1")).Attributes()))
	sp := b.span(refresh(2, "rt-1").after(5 * time.Second))
	assert.Equal(t, []string{contract.EventTokenReuse}, findings(sp.Attributes()))
	assert.Equal(t, contract.StatusReuseDetected, str(sp.Attributes(), contract.AttrStatus))
	// Within the grace period it is a concurrent refresh, not a reuse.
	for _, h := range []*harness{a, b} {
		h.d.graceMs = 2000
	}
	a.span(refresh(3, "rt-2"))
	assert.Empty(t, findings(b.span(refresh(4, "rt-2").after(time.Second)).Attributes()))
	// Another deployment's key_prefix shares nothing.
	c := sharedHarness(t, r.Addr, "other")
	assert.Empty(t, findings(c.span(refresh(5, "rt-1").after(6*time.Second)).Attributes()))
	// A secret other than a refresh token: a code redeemed at two gateways.
	code := func(trace byte) rec {
		return op(trace, ptrace.SpanKindServer, contract.OpToken, contract.AttrCode, fp("code-1"), contract.AttrGrantType, "authorization_code")
	}
	require.Empty(t, findings(a.span(code(6)).Attributes()))
	assert.Equal(t, []string{contract.EventCodeInjection}, findings(b.span(code(7).after(time.Second)).Attributes()))
}

// Two gateways seeing the same refresh token (two requests) at the same
// instant flag it once, for every one of 50 tokens.
func TestSharedSameInstantOneFinding(t *testing.T) {
	r := testutil.StartRedis(t)
	a, b := sharedHarness(t, r.Addr, "t2"), sharedHarness(t, r.Addr, "t2")
	const tokens = 50
	flagged := make([][2]bool, tokens)
	var wg sync.WaitGroup
	for g, h := range []*harness{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < tokens; i++ {
				// Trace ids differ per gateway: two requests.
				flagged[i][g] = reused(h.span(refresh(byte(1+g+2*i), fmt.Sprintf("same-%d", i))))
			}
		}()
	}
	wg.Wait()
	for i, f := range flagged {
		assert.True(t, f[0] != f[1], "token %d: flagged at gateway A %v, B %v; want exactly one", i, f[0], f[1])
	}
}

// Redis down: batches pass on local state within the timeout, the outage is
// visible, and first uses learned meanwhile are published when Redis is back.
func TestSharedOutageFallsBackAndResumes(t *testing.T) {
	r := testutil.StartRedis(t)
	a, b := sharedHarness(t, r.Addr, "t3"), sharedHarness(t, r.Addr, "t3")
	a.span(refresh(1, "before"))
	r.Stop()
	a.span(refresh(2, "during"))
	// Local state still detects at the gateway that saw the first use.
	assert.True(t, reused(a.span(refresh(3, "during").after(time.Second))))
	assert.Equal(t, int64(0), a.d.shared.up.Load())
	assert.Equal(t, int64(2), a.d.shared.backlogLen.Load(), "both uses wait to be published")
	r.Start() // without persistence: "before" is forgotten
	time.Sleep(300 * time.Millisecond)
	a.span(refresh(4, "after"))
	assert.Equal(t, int64(1), a.d.shared.up.Load())
	assert.Zero(t, a.d.shared.backlogLen.Load())
	assert.True(t, reused(b.span(refresh(5, "during").after(2*time.Second))), "a use learned during the outage is shared")
	assert.True(t, reused(b.span(refresh(6, "after").after(2*time.Second))))
	// "before" was forgotten by the restarted Redis: gateway B cannot see it,
	// gateway A still does from its local state, and publishes it again.
	assert.False(t, reused(b.span(refresh(7, "before").after(3*time.Second))))
	assert.True(t, reused(a.span(refresh(8, "before").after(3*time.Second))))
}

func TestSharedStateConfig(t *testing.T) {
	cm := confmap.NewFromStringMap(map[string]any{
		"fingerprint_key": testkey.Key,
		"shared_state":    map[string]any{"endpoint": "127.0.0.1:6379", "key_prefix": "prod-eu"},
	})
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cm.Unmarshal(cfg))
	require.NoError(t, confmap.Validate(cfg))
	require.True(t, cfg.SharedState.HasValue())
	assert.Equal(t, 250*time.Millisecond, cfg.SharedState.Get().Timeout, "the section starts from the defaults")
	assert.False(t, createDefaultConfig().(*Config).SharedState.HasValue(), "off unless configured")

	id := component.MustNewID("file_storage")
	cfg.Storage = &id
	assert.ErrorContains(t, confmap.Validate(cfg), "storage and shared_state are exclusive")

	bad := createDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"fingerprint_key": testkey.Key, "shared_state": map[string]any{"timeout": "0s"},
	}).Unmarshal(bad))
	err := confmap.Validate(bad)
	assert.ErrorContains(t, err, "shared_state")
	assert.ErrorContains(t, err, "key_prefix")
	assert.ErrorContains(t, err, "timeout")
}

// The baseline shared_state fixes: two gateways on local state alone do not
// see a replay whose first use reached the other one.
func TestLocalStateMissesReplayAtAnotherGateway(t *testing.T) {
	a, b := newHarness(t, nil), newHarness(t, nil)
	a.span(refresh(1, "rt-1"))
	assert.False(t, reused(b.span(refresh(2, "rt-1").after(5*time.Second))))
	assert.True(t, reused(a.span(refresh(3, "rt-1").after(6*time.Second))), "the gateway of the first use sees it")
}
