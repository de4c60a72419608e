//go:build faults

package faults

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/keycloakfake"
)

const (
	kcRealm        = "acme"
	kcClientID     = "otelcol-events-reader"
	kcClientSecret = "kc-secret-for-fault-tests"
)

// keycloakStream adds events to the fake realm as Keycloak stores them: a
// steady stream, several events in one millisecond, some stamped two
// seconds before they became visible (EventBuilder stamps the time before
// the store commits), a malformed one now and then. Refresh token ids are
// all distinct: the stream holds no reuse. Each event carries a detail
// event_seq, the test's own key (a release before 26.2 serves no id).
type keycloakStream struct {
	srv *keycloakfake.Server
	mu  sync.Mutex
	ids []string
	n   int
}

var keycloakStreamTypes = []string{
	contract.KeycloakLogin, contract.KeycloakCodeToToken, contract.KeycloakRefreshToken,
	contract.KeycloakLoginError, contract.KeycloakClientLogin, "UPDATE_PROFILE", contract.KeycloakLogout,
}

func (s *keycloakStream) add(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for range k {
		s.n++
		seq := s.n
		at := now
		if seq%5 == 0 {
			at = now.Add(-2 * time.Second)
		}
		if seq%17 == 0 {
			s.srv.AddRaw(at.UnixMilli(), fmt.Sprintf(`{"id":"malformed-%d","time":%d}`, seq, at.UnixMilli())) // no type
			continue
		}
		typ := keycloakStreamTypes[seq%len(keycloakStreamTypes)]
		flow := fmt.Sprintf("sess-%d", seq/7)
		ev := keycloakfake.Event{
			ID: keycloakfake.NewID(), Time: at.UnixMilli(), Type: typ, RealmID: "realm-uuid-acme",
			ClientID: "web", UserID: "user-1", SessionID: flow, IPAddress: "203.0.113.7",
			Details: map[string]string{"auth_method": "openid-connect", "code_id": flow, "event_seq": strconv.Itoa(seq)},
		}
		switch typ {
		case contract.KeycloakCodeToToken:
			ev.Details["grant_type"] = contract.GrantAuthorizationCode
			ev.Details["refresh_token_id"] = fmt.Sprintf("rt-%d-a", seq)
		case contract.KeycloakRefreshToken:
			ev.Details["grant_type"] = contract.GrantRefreshToken
			ev.Details["refresh_token_id"] = fmt.Sprintf("rt-%d-b", seq)
			ev.Details["updated_refresh_token_id"] = fmt.Sprintf("rt-%d-c", seq)
		case contract.KeycloakLoginError:
			ev.Error = "invalid_user_credentials"
		case contract.KeycloakClientLogin:
			ev.ClientID, ev.Details["grant_type"] = "svc", contract.GrantClientCredentials
		}
		s.srv.Add(ev)
		s.ids = append(s.ids, "seq:"+strconv.Itoa(seq))
	}
}

func (s *keycloakStream) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// Keycloak's events API pulled by the real binary (the admin token by
// client credentials through contrib's oauth2client extension) while events
// flow, across a SIGKILL and a graceful restart, with the fake answering
// 429 (Retry-After), 503, an undecodable page and, on the last run, 401 to
// a token issued before the realm's not-before policy: every event of the
// fake's ground truth arrives (a repeat only for a page accepted in the
// instant of the SIGKILL before its cursor was written), counted and
// measured. Then the story of the keycloak vocabulary's fixtures, read
// from the API: its one refresh reuse is one token_reuse, its code replay
// one code_injection, LOGIN and CODE_TO_TOKEN join by code_id (a flow
// duration), and no token id reaches the sink.
//
// Twice: against Keycloak 26.2+ (ids, millisecond dates, oldest first) and
// against an older release (no ids, days, newest first: the listing shifts
// under the pages while events flow).
func TestKeycloakPullAcrossSIGKILLAndRestart(t *testing.T) {
	t.Run("26.2+", func(t *testing.T) { testKeycloakPull(t, keycloakfake.Current) })
	t.Run("before-26.2", func(t *testing.T) { testKeycloakPull(t, keycloakfake.Legacy) })
}

// kcRecordKey identifies a delivered Keycloak record: a stream event by its
// event_seq detail, a story event by its time (the story's are distinct).
func kcRecordKey(lr plog.LogRecord) (string, bool) {
	if v, ok := lr.Attributes().Get(contract.KeycloakDetailsPrefix + "event_seq"); ok {
		return "seq:" + v.Str(), true
	}
	if _, ok := lr.Attributes().Get(contract.KeycloakRealmID); !ok {
		return "", false
	}
	return "ts:" + strconv.FormatInt(lr.Timestamp().AsTime().UnixMilli(), 10), true
}

func testKeycloakPull(t *testing.T, release keycloakfake.Release) {
	const limit = 10
	srv := keycloakfake.New(kcRealm, kcClientID, kcClientSecret)
	srv.Release = release
	srv.ExpiresIn = 15 // the extension takes a new token every ~5s
	t.Cleanup(srv.Close)
	stream := &keycloakStream{srv: srv}
	stream.add(25)
	run := newAuditRun(t, auditSource{
		extensions: fmt.Sprintf(`  oauth2client/keycloak:
    client_id: %s
    client_secret: ${env:KEYCLOAK_CLIENT_SECRET}
    token_url: KEYCLOAK_URL/realms/%s/protocol/openid-connect/token
    expiry_buffer: 1s
`, kcClientID, kcRealm),
		extensionIDs: []string{"oauth2client/keycloak"},
		receiver: fmt.Sprintf(`    source: keycloak
    pull:
      endpoint: KEYCLOAK_URL
      realm: %s
      auth:
        authenticator: oauth2client/keycloak
      poll_interval: 200ms
      limit: %d
      initial_lookback: 1h
      backoff:
        initial_interval: 100ms
        max_interval: 1s
`, kcRealm, limit),
		processors: []string{"oauth_normalize", "oauth_redact", "oauth_security"},
		replace:    []string{"KEYCLOAK_URL", srv.URL()},
		env:        []string{"KEYCLOAK_CLIENT_SECRET=" + kcClientSecret},
		key:        kcRecordKey,
	})

	first := run.start()
	srv.FailStatus(http.StatusTooManyRequests, time.Second)
	srv.FailStatus(http.StatusServiceUnavailable, 0)
	srv.FailMalformedPage()
	stop := streamWhile(stream.add)
	time.Sleep(3 * time.Second)
	first.Kill()

	second := run.start()
	time.Sleep(2 * time.Second)
	require.NoError(t, second.Stop(30*time.Second))
	time.Sleep(500 * time.Millisecond) // events flow while no collector runs
	stop()

	before := srv.TokensIssued()
	third := run.start()
	// Once the running collector holds its token, the realm revokes every
	// token issued so far: it gets 401 until its extension takes a fresh one.
	require.Eventually(t, func() bool { return srv.TokensIssued() > before }, 30*time.Second, 20*time.Millisecond, "the third start took no token")
	srv.PushNotBefore()
	story, storyIDs, err := keycloakfake.StoryEvents(filepath.Join(testutil.RepoRoot(t), "processor/oauthnormalize/testdata/keycloak/story.json"), time.Now(), 10*time.Millisecond)
	require.NoError(t, err)
	srv.Add(story...)
	want := stream.all()
	streamed := len(want)
	for _, ev := range story {
		want = append(want, "ts:"+strconv.FormatInt(ev.Time, 10))
	}
	seen := run.waitAll(want, "after the restarts")

	rep := repeats(want, seen)
	lost := 0
	for _, id := range want {
		if seen[id] == 0 {
			lost++
		}
	}
	t.Logf("keycloak: %d events on the server (%d streamed across 3 starts, %d of the story), %d distinct delivered, %d lost, %d repeated (bound: one page of %d), %d requests, %d tokens",
		len(want), streamed, len(story), len(seen), lost, rep, limit, len(srv.Requests()), srv.TokensIssued())
	assert.Len(t, seen, len(want), "only the server's events, each at least once")
	assert.Zero(t, lost)
	assert.LessOrEqual(t, rep, limit, "repeats beyond the page in flight at the SIGKILL")
	assert.GreaterOrEqual(t, srv.TokensIssued(), 4, "each start took a token through oauth2client, and a fresh one after the 401")

	// The story's verdicts, through oauth_normalize (one table with the
	// traces) and oauth_security.
	run.assertOneReuse()
	metrics := fmt.Sprintf("http://localhost:%d/metrics", run.ports["8889"])
	assert.Equal(t, 1.0, scrape(metrics, contract.MetricSecurityEventsTotal, "event_type", contract.EventCodeInjection))
	assert.Positive(t, scrape(metrics, contract.MetricFlowDuration+"_count", "provider", contract.ProviderKeycloak), "LOGIN joined to CODE_TO_TOKEN by code_id")
	byReq := map[string]string{}
	for i, id := range storyIDs {
		byReq["ts:"+strconv.FormatInt(story[i].Time, 10)] = id
	}
	var storyText strings.Builder
	for _, lr := range run.sink.LogRecords() {
		a := lr.Attributes()
		key, _ := kcRecordKey(lr)
		if byReq[key] == "f1-refresh-reuse" {
			st, _ := a.Get(contract.AttrStatus)
			et, _ := a.Get(contract.AttrSecurityEventType)
			assert.Equal(t, contract.StatusReuseDetected, st.Str())
			assert.Equal(t, contract.EventTokenReuse, et.Str())
		}
		storyText.WriteString(fmt.Sprint(a.AsRaw()))
	}
	var tokenIDs []string
	for _, ev := range story {
		for _, k := range []string{"refresh_token_id", "updated_refresh_token_id", "token_id"} {
			if v := ev.Details[k]; v != "" {
				tokenIDs = append(tokenIDs, v)
			}
		}
	}
	assertNoSecret(t, "the sink", storyText.String(), tokenIDs...)

	own := run.ownTelemetry()
	assert.Positive(t, testutil.SumSamples(own, "otelcol_receiver_oauth_audit_auth_failures_total", "source", "keycloak")+
		testutil.SumSamples(own, "otelcol_receiver_oauth_audit_auth_failures", "source", "keycloak"), "the 401s were counted")
	require.NoError(t, third.Stop(30*time.Second))
	assert.Empty(t, third.ErrorLines())
	out := first.Output() + second.Output() + third.Output()
	assert.NotContains(t, out, kcClientSecret, "the client secret reached a log line")
	assert.NotContains(t, out, "kc-admin-token-", "an admin token reached a log line")
}
