package oauthaudit

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/keycloakfake"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

const (
	kcTestRealm        = "acme"
	kcTestClientID     = "otelcol-events-reader"
	kcTestClientSecret = "kc-secret-for-unit-tests"
)

var kcAuthID = component.MustNewIDWithName("oauth2client", "keycloak")

func newKeycloakFake(t *testing.T) *keycloakfake.Server {
	s := keycloakfake.New(kcTestRealm, kcTestClientID, kcTestClientSecret)
	t.Cleanup(s.Close)
	return s
}

// keycloakExtensions starts contrib's oauth2client extension for srv's
// realm (client credentials), as deploy/keycloak.yaml configures it.
func keycloakExtensions(t *testing.T, srv *keycloakfake.Server) map[component.ID]component.Component {
	t.Helper()
	f := oauth2clientauthextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*oauth2clientauthextension.Config)
	cfg.ClientID = kcTestClientID
	cfg.ClientSecret = kcTestClientSecret
	cfg.TokenURL = srv.TokenURL()
	cfg.ExpiryBuffer = 0 // the default (5m) outlives Keycloak's tokens: a new one every request
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return map[component.ID]component.Component{kcAuthID: ext}
}

func keycloakPullConfig(srv *keycloakfake.Server, start time.Time) PullConfig {
	cfg := defaultPullConfig()
	cfg.Endpoint = srv.URL()
	cfg.Realm = kcTestRealm
	cfg.Limit = 5
	cfg.StartAt = start
	cfg.Auth = configoptional.Some(configauth.Config{AuthenticatorID: kcAuthID})
	return cfg
}

// newKeycloakTestPuller builds a Keycloak puller against srv, polled by
// hand with pollOnce, as the receiver's Start builds it.
func newKeycloakTestPuller(t *testing.T, exts map[component.ID]component.Component, next consumer.Logs, store storage.Client, set receiver.Settings, cfg PullConfig) *puller {
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
	src, err := newKeycloakSource(cfg.Endpoint, cfg.Realm, cfg.EventTypes)
	require.NoError(t, err)
	p := &puller{
		cfg: &cfg, client: client, next: next, logger: set.Logger, tel: tel, obs: obs,
		store: store, now: time.Now, jitter: func() float64 { return 0.5 }, modeSet: modeAttr("pull"),
		source: SourceKeycloak, window: src,
	}
	p.sleep = func(context.Context, time.Duration) error { return nil }
	require.NoError(t, p.loadCursor(context.Background()))
	return p
}

// kcStreamTypes cycle through a stretch of a realm's events.
var kcStreamTypes = []string{
	contract.KeycloakLogin, contract.KeycloakCodeToToken, contract.KeycloakRefreshToken,
	contract.KeycloakLoginError, contract.KeycloakClientLogin, "UPDATE_PROFILE", contract.KeycloakLogout,
}

// kcStory is n events from seq first on, at t0 + seq*step: several share a
// millisecond when step is below one (Keycloak orders by time only).
func kcStory(first, n int, t0 time.Time, step time.Duration) []keycloakfake.Event {
	var out []keycloakfake.Event
	for i := 0; i < n; i++ {
		seq := first + i
		sess := fmt.Sprintf("sess-%d", seq/3)
		ev := keycloakfake.Event{
			ID: keycloakfake.NewID(), Time: t0.Add(time.Duration(seq) * step).UnixMilli(),
			Type: kcStreamTypes[seq%len(kcStreamTypes)], RealmID: "realm-uuid-acme", ClientID: "web",
			UserID: fmt.Sprintf("user-%d", seq%4), SessionID: sess, IPAddress: "203.0.113.7",
			Details: map[string]string{"code_id": sess, "auth_method": "openid-connect", "seq": fmt.Sprint(seq)},
		}
		out = append(out, ev)
	}
	return out
}

// kcIDs are the oauth.audit.id the receiver gives evs (their id, or the
// digest of an event without one).
func kcIDs(t *testing.T, evs []keycloakfake.Event, legacy bool) []string {
	t.Helper()
	ids := make([]string, len(evs))
	for i, ev := range evs {
		if legacy {
			ev.ID = ""
		}
		pe, err := parseKeycloakEvent(mustJSON(t, ev))
		require.NoError(t, err)
		ids[i] = pe.id
	}
	return ids
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
