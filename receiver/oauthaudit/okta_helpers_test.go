package oauthaudit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/oktafake"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

const oktaTestToken = "okta-ssws-token-for-unit-tests"

func newOktaFake(t *testing.T) *oktafake.Server {
	s := oktafake.New(oktaTestToken)
	t.Cleanup(s.Close)
	return s
}

// newOktaTestPuller builds an Okta puller against srv, polled by hand with
// pollOnce, as the receiver's Start builds it.
func newOktaTestPuller(t *testing.T, srv *oktafake.Server, next consumer.Logs, store storage.Client, set receiver.Settings, mutate ...func(*PullConfig)) *puller {
	t.Helper()
	cfg := defaultPullConfig()
	cfg.Endpoint = srv.URL()
	cfg.Limit = 10
	cfg.StartAt = time.Now().Add(-24 * time.Hour)
	// The SSWS token as an opaque header of the client settings, as the
	// README configures it.
	cfg.Headers.Set("Authorization", configopaque.String("SSWS "+oktaTestToken))
	for _, m := range mutate {
		m(&cfg)
	}
	if set.ID.Type() != metadata.Type {
		set = receivertest.NewNopSettings(metadata.Type)
	}
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	require.NoError(t, err)
	obs, err := newObs(set)
	require.NoError(t, err)
	client, err := cfg.ToClient(context.Background(), nil, set.TelemetrySettings)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	src, err := newOktaSource(cfg.Endpoint, cfg.Limit)
	require.NoError(t, err)
	p := &puller{
		cfg: &cfg, client: client, next: next, logger: set.Logger, tel: tel, obs: obs,
		store: store, now: time.Now, jitter: func() float64 { return 0.5 }, modeSet: modeAttr("pull"),
		source: SourceOkta, pages: src,
	}
	p.sleep = func(context.Context, time.Duration) error { return nil }
	require.NoError(t, p.loadPageCursor(context.Background()))
	return p
}

// oktaStory is a day of an Okta org: token grants (access, id and refresh
// token events of one request), refreshes, an authorize, a revoke, a failed
// grant, one reuse verdict and unrelated events, persisted out of published
// order.
func oktaStory(prefix string, n int, t0 time.Time) []oktafake.LogEvent {
	types := []struct{ typ, grant, result string }{
		{contract.OktaAuthorizeCode, "", "SUCCESS"},
		{contract.OktaTokenGrantAccessToken, contract.GrantAuthorizationCode, "SUCCESS"},
		{"app.oauth2.as.token.grant.id_token", contract.GrantAuthorizationCode, "SUCCESS"},
		{"app.oauth2.as.token.grant.refresh_token", contract.GrantAuthorizationCode, "SUCCESS"},
		{contract.OktaTokenGrantAccessToken, contract.GrantRefreshToken, "SUCCESS"},
		{contract.OktaTokenGrant, contract.GrantClientCredentials, "FAILURE"},
		{contract.OktaTokenRevoke, "", "SUCCESS"},
		{"user.session.start", "", "SUCCESS"},
	}
	var out []oktafake.LogEvent
	for i := 0; i < n; i++ {
		k := types[i%len(types)]
		// Persistence order differs from published order: every third
		// event was published a little before its predecessor.
		at := t0.Add(time.Duration(i) * time.Second)
		if i%3 == 2 {
			at = at.Add(-1500 * time.Millisecond)
		}
		out = append(out, oktafake.OAuthEvent(fmt.Sprintf("%s-%03d", prefix, i), k.typ, at, "00u-user-1", "0oa-client-1", k.grant, k.result))
	}
	return out
}

// recordsByID maps every record the sink got by oauth.audit.id, counting.
func recordsByID(ls []plog.Logs) (map[string]plog.LogRecord, map[string]int) {
	recs, counts := map[string]plog.LogRecord{}, map[string]int{}
	for _, ld := range ls {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					v, _ := lrs.At(k).Attributes().Get(contract.AttrAuditID)
					recs[v.Str()] = lrs.At(k)
					counts[v.Str()]++
				}
			}
		}
	}
	return recs, counts
}
