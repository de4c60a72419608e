package oauthaudit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadata"
)

func pullReceiver(t *testing.T, srv *fakeAudit, storageID *component.ID, next consumer.Logs) *auditReceiver {
	t.Helper()
	pc := defaultPullConfig()
	pc.Endpoint = srv.srv.URL
	pc.BearerToken = "test-admin-token"
	pc.PollInterval = 10 * time.Millisecond
	pc.Limit = 4
	pc.StartAt = time.Now().Add(-time.Hour)
	cfg := &Config{Pull: configoptional.Some(pc), Storage: storageID}
	require.NoError(t, cfg.Validate())
	set := receivertest.NewNopSettings(metadata.Type)
	// One id across restarts, as the service gives a configured receiver:
	// storage keys its state by it.
	set.ID = component.NewID(metadata.Type)
	r, err := newAuditReceiver(cfg, set, next)
	require.NoError(t, err)
	return r
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the deadline")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReceiverPullRestartWithStorage(t *testing.T) {
	srv := newFakeAudit(t)
	first := burst("a", 10, time.Now().Add(-time.Minute).Truncate(time.Second))
	srv.add(first...)
	storeID := component.MustNewID("memstore")
	host := storagetest.NewHost(map[component.ID]component.Component{storeID: storagetest.New()})
	sink := &consumertest.LogsSink{}

	r := pullReceiver(t, srv, &storeID, sink)
	require.NoError(t, r.Start(context.Background(), host))
	waitFor(t, func() bool { return len(auditIDs(sink)) >= len(first) })
	require.NoError(t, r.Shutdown(context.Background()))
	requireExactlyOnce(t, ids(first), auditIDs(sink))

	second := burst("b", 6, time.Now().Add(-30*time.Second).Truncate(time.Second))
	srv.add(second...)
	r = pullReceiver(t, srv, &storeID, sink)
	require.NoError(t, r.Start(context.Background(), host))
	want := append(ids(first), ids(second)...)
	waitFor(t, func() bool { return len(auditIDs(sink)) >= len(want) })
	// A few more polls must not repeat anything.
	n := srv.requestCount()
	waitFor(t, func() bool { return srv.requestCount() >= n+3 })
	require.NoError(t, r.Shutdown(context.Background()))
	requireExactlyOnce(t, want, auditIDs(sink))
}

func TestReceiverStorageErrors(t *testing.T) {
	srv := newFakeAudit(t)
	missing := component.MustNewID("nosuch")
	r := pullReceiver(t, srv, &missing, consumertest.NewNop())
	err := r.Start(context.Background(), storagetest.NewHost(nil))
	require.ErrorContains(t, err, "storage")
	require.NoError(t, r.Shutdown(context.Background()))

	notStorage := component.MustNewID("testauth")
	r = pullReceiver(t, srv, &notStorage, consumertest.NewNop())
	err = r.Start(context.Background(), storagetest.NewHost(map[component.ID]component.Component{notStorage: &bearerAuth{}}))
	require.ErrorContains(t, err, "not a storage extension")
	require.NoError(t, r.Shutdown(context.Background()))
}

func TestReceiverBothModes(t *testing.T) {
	srv := newFakeAudit(t)
	srv.add(burst("pulled", 3, time.Now().Add(-time.Minute).Truncate(time.Second))...)
	sink := &flakySink{}
	r := pullReceiver(t, srv, nil, sink)
	pc := defaultPushConfig()
	pc.NetAddr.Endpoint = "127.0.0.1:0"
	r.cfg.Push = configoptional.Some(pc)
	require.NoError(t, r.Start(context.Background(), storagetest.NewHost(nil)))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()
	code, _, _ := post(t, "http://"+r.addr.String()+pc.Path, ev("pushed"))
	assert.Equal(t, 200, code)
	waitFor(t, func() bool { return len(auditIDs(&sink.LogsSink)) >= 4 })
	assert.ElementsMatch(t, []string{"pulled-000", "pulled-001", "pulled-002", "pushed"}, auditIDs(&sink.LogsSink))
}

func TestReceiverShutdownIdempotent(t *testing.T) {
	srv := newFakeAudit(t)
	r := pullReceiver(t, srv, nil, consumertest.NewNop())
	require.NoError(t, r.Shutdown(context.Background()), "Shutdown without Start")
	require.NoError(t, r.Shutdown(context.Background()))

	storeID := component.MustNewID("memstore")
	cc := storagetest.Count(storagetest.New())
	host := storagetest.NewHost(map[component.ID]component.Component{storeID: cc})
	r = pullReceiver(t, srv, &storeID, consumertest.NewNop())
	pc := defaultPushConfig()
	pc.NetAddr.Endpoint = "127.0.0.1:0"
	r.cfg.Push = configoptional.Some(pc)
	require.NoError(t, r.Start(context.Background(), host))
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, r.Shutdown(context.Background()))
	assert.Equal(t, 1, cc.Closes(), "the storage client is closed once")
}

func TestReceiverStorageWithoutClient(t *testing.T) {
	srv := newFakeAudit(t)
	storeID := component.MustNewID("memstore")
	r := pullReceiver(t, srv, &storeID, consumertest.NewNop())
	err := r.Start(context.Background(), storagetest.NewHost(map[component.ID]component.Component{storeID: &storagetest.Extension{NoClient: true}}))
	require.ErrorContains(t, err, `storage: extension "memstore": no storage client`)
	require.NoError(t, r.Shutdown(context.Background()))
}
