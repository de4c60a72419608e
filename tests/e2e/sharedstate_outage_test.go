//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// ownMetric sums the samples of one of the gateway's own metrics.
func (g *sharedGateway) ownMetric(name string) (float64, error) {
	samples, err := testutil.ScrapeMetrics(fmt.Sprintf("http://127.0.0.1:%d/metrics", g.own))
	if err != nil {
		return 0, err
	}
	var v float64
	found := false
	for _, s := range samples {
		if s.Name == name || strings.TrimSuffix(s.Name, "_total") == name {
			v, found = v+s.Value, true
		}
	}
	if !found {
		return 0, fmt.Errorf("%s not served", name)
	}
	return v, nil
}

// Redis stopped for 30 s while a sender keeps refreshing at gateway 0: every
// refresh is counted (nothing lost), no export waits long, the outage shows
// in shared_state_up and shared_state_errors; once Redis is back (empty:
// no persistence), first uses made during and after the outage are shared
// again: their replays at gateway 1 are flagged.
func TestSharedStateRedisOutageUnderLoad(t *testing.T) {
	redis := testutil.StartRedis(t)
	ca, cert, key := testutil.TestCerts(t)
	env := tlsEnv(ca, cert, key)
	gws := []*sharedGateway{startSharedGateway(t, 0, env, redis.Addr), startSharedGateway(t, 1, env, redis.Addr)}
	tr := mtlsTracer(t, ca, cert, key, gws[0].otlp)

	base := time.Now().Add(-10 * time.Minute)
	var sent atomic.Int64
	var slowest time.Duration
	send := func(phase string, n int) {
		for i := 0; i < n; i++ {
			k := sent.Add(1)
			start := time.Now()
			sendRefresh(tr, base.Add(time.Duration(k)*time.Millisecond), fmt.Sprintf("rt_outage_%s_%04d_0123456789abcdef", phase, i))
			slowest = max(slowest, time.Since(start))
			time.Sleep(20 * time.Millisecond)
		}
	}
	send("before", 50)
	redis.Stop()
	// The outage: Redis down for 30 s under load.
	outageEnd := time.Now().Add(30 * time.Second)
	during := 0
	for time.Now().Before(outageEnd) {
		send(fmt.Sprintf("during%03d", during), 10)
		during++
	}
	eventually(t, 60, "outage visible", func() error {
		up, err := gws[0].ownMetric("otelcol_processor_oauth_security_shared_state_up")
		if err == nil && up != 0 {
			err = fmt.Errorf("shared_state_up %v during the outage", up)
		}
		return err
	})
	errs, err := gws[0].ownMetric("otelcol_processor_oauth_security_shared_state_errors")
	require.NoError(t, err)
	assert.Positive(t, errs)
	redis.Start()
	time.Sleep(2 * time.Second) // retry_interval is 1s
	send("after", 50)

	// Nothing lost: every refresh sent is counted at gateway 0.
	eventually(t, 120, "refreshes counted", func() error {
		m, err := gws[0].refreshes()
		if err == nil && m[contract.StatusSuccess] != float64(sent.Load()) {
			err = fmt.Errorf("success %v of %d sent", m[contract.StatusSuccess], sent.Load())
		}
		return err
	})
	eventually(t, 60, "shared state back", func() error {
		up, err := gws[0].ownMetric("otelcol_processor_oauth_security_shared_state_up")
		if err == nil && up != 1 {
			err = fmt.Errorf("shared_state_up %v after the outage", up)
		}
		return err
	})

	// A frozen Redis (answers nothing, connections stay open) for 5 s:
	// each batch waits at most the 250ms timeout, then retry_interval skips
	// Redis; the refreshes are still all counted.
	slowestBefore := slowest
	slowest = 0
	redis.Pause()
	frozenEnd := time.Now().Add(5 * time.Second)
	for j := 0; time.Now().Before(frozenEnd); j++ {
		send(fmt.Sprintf("frozen%02d", j), 10)
	}
	redis.Resume()
	slowestFrozen := slowest
	slowest = max(slowest, slowestBefore)
	eventually(t, 120, "refreshes counted after the freeze", func() error {
		m, err := gws[0].refreshes()
		if err == nil && m[contract.StatusSuccess] != float64(sent.Load()) {
			err = fmt.Errorf("success %v of %d sent", m[contract.StatusSuccess], sent.Load())
		}
		return err
	})
	errsFrozen, err := gws[0].ownMetric("otelcol_processor_oauth_security_shared_state_errors")
	require.NoError(t, err)
	assert.Greater(t, errsFrozen, errs, "timeouts on the frozen Redis are counted")
	t.Logf("frozen Redis 5s: slowest export %s, failed round trips %v", slowestFrozen, errsFrozen-errs)
	time.Sleep(2 * time.Second)
	send("thawed", 5)

	// Replays at gateway 1: tokens first used during the outage (published
	// from the backlog) and after it are flagged.
	tr1 := mtlsTracer(t, ca, cert, key, gws[1].otlp)
	replays := 0
	for _, phase := range []string{"during000", fmt.Sprintf("during%03d", during-1), "after"} {
		sendRefresh(tr1, base.Add(time.Hour), fmt.Sprintf("rt_outage_%s_%04d_0123456789abcdef", phase, 3))
		replays++
	}
	eventually(t, 120, "replays after the outage flagged", func() error {
		m, err := gws[1].refreshes()
		if err == nil && m[contract.StatusReuseDetected] != float64(replays) {
			err = fmt.Errorf("reuse_detected %v of %d replays (%v)", m[contract.StatusReuseDetected], replays, m)
		}
		return err
	})
	t.Logf("outage 30s under load: %d refreshes sent, all counted; %v failed round trips; slowest export %s; %d of %d replays after recovery flagged",
		sent.Load(), errs, slowest, replays, replays)
	// The pipeline never waited for Redis beyond its timeout (250ms) per
	// batch: no export came near the exporter's own 10 s timeout.
	assert.Less(t, slowest, 5*time.Second, "an export waited on the Redis outage")
}
