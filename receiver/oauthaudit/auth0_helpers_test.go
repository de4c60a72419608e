package oauthaudit

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/oauth2clientauthextension"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/auth0fake"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

const (
	auth0TestClientID     = "m2m-client-for-unit-tests"
	auth0TestClientSecret = "m2m-secret-for-unit-tests"
)

var auth0AuthID = component.MustNewIDWithName("oauth2client", "auth0")

func newAuth0Fake(t *testing.T) *auth0fake.Server {
	s := auth0fake.New(auth0TestClientID, auth0TestClientSecret)
	t.Cleanup(s.Close)
	return s
}

// auth0Extensions starts contrib's oauth2client extension for srv's tenant
// (client credentials, the Management API audience), as deploy/auth0.yaml
// configures it, and returns the host's extensions with it.
func auth0Extensions(t *testing.T, srv *auth0fake.Server, expiryBuffer time.Duration, more map[component.ID]component.Component) map[component.ID]component.Component {
	t.Helper()
	f := oauth2clientauthextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*oauth2clientauthextension.Config)
	cfg.ClientID = auth0TestClientID
	cfg.ClientSecret = auth0TestClientSecret
	cfg.TokenURL = srv.TokenURL()
	cfg.EndpointParams = url.Values{"audience": {srv.Audience()}}
	cfg.ExpiryBuffer = expiryBuffer
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	exts := map[component.ID]component.Component{auth0AuthID: ext}
	for id, c := range more {
		exts[id] = c
	}
	return exts
}

func auth0PullConfig(srv *auth0fake.Server, from string) PullConfig {
	cfg := defaultPullConfig()
	cfg.Endpoint = srv.URL()
	cfg.Limit = 5
	cfg.StartLogID = from
	cfg.Auth = configoptional.Some(configauth.Config{AuthenticatorID: auth0AuthID})
	return cfg
}

// newAuth0TestPuller builds an Auth0 puller against srv, polled by hand
// with pollOnce, as the receiver's Start builds it.
func newAuth0TestPuller(t *testing.T, srv *auth0fake.Server, exts map[component.ID]component.Component, next consumer.Logs, store storage.Client, set receiver.Settings, cfg PullConfig) *puller {
	t.Helper()
	if set.ID.Type() != metadata.Type {
		set = receivertest.NewNopSettings(metadata.Type)
	}
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	require.NoError(t, err)
	obs, err := newObs(set)
	require.NoError(t, err)
	client, err := cfg.ToClient(context.Background(), exts, set.TelemetrySettings)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	src, err := newAuth0Source(cfg.Endpoint, cfg.Limit, cfg.StartLogID)
	require.NoError(t, err)
	p := &puller{
		cfg: &cfg, client: client, next: next, logger: set.Logger, tel: tel, obs: obs,
		store: store, now: time.Now, jitter: func() float64 { return 0.5 }, modeSet: modeAttr("pull"),
		source: SourceAuth0, pages: src,
	}
	p.sleep = func(context.Context, time.Duration) error { return nil }
	require.NoError(t, p.loadPageCursor(context.Background()))
	return p
}

// auth0Story is a stretch of an Auth0 tenant's log: code exchanges and
// refreshes (successful and failed), a revocation, one reused rotating
// refresh token, and unrelated logs (a login, a Management API read), with
// log ids first..first+n-1.
func auth0Story(first, n int, t0 time.Time) []auth0fake.Log {
	types := []string{
		contract.Auth0CodeExchangeSuccess, contract.Auth0RefreshSuccess, "s", contract.Auth0CodeExchangeFailure,
		contract.Auth0RefreshFailure, contract.Auth0RefreshRevoked, "mgmt_api_read", contract.Auth0RefreshSuccess,
	}
	var out []auth0fake.Log
	for i := 0; i < n; i++ {
		seq := first + i
		out = append(out, auth0fake.OAuthLog(seq, types[seq%len(types)], t0.Add(time.Duration(seq)*time.Second), fmt.Sprintf("auth0|user-%d", seq%3), "client-1"))
	}
	return out
}

func logIDs(logs []auth0fake.Log) []string {
	ids := make([]string, len(logs))
	for i, l := range logs {
		ids[i] = l.LogID
	}
	return ids
}
