package oauthaudit

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
	"github.com/otelcol-oauth/otelcol-oauth/receiver/oauthaudit/internal/metadatatest"
)

func TestSelfTelemetry(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })

	srv := newFakeAudit(t)
	srv.add(burst("a", 3, time.Now().Add(-time.Minute).Truncate(time.Second))...)
	srv.failNext(func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) })

	pc := defaultPullConfig()
	pc.Endpoint, pc.BearerToken, pc.StartAt = srv.srv.URL, "test-admin-token", time.Now().Add(-time.Hour)
	pc.Backoff.InitialInterval, pc.Backoff.MaxInterval = time.Millisecond, time.Millisecond
	push := defaultPushConfig()
	push.NetAddr.Endpoint = "127.0.0.1:0"
	cfg := &Config{Pull: configoptional.Some(pc), Push: configoptional.Some(push)}
	sink := &flakySink{}
	r, err := newAuditReceiver(cfg, metadatatest.NewSettings(tt), sink)
	require.NoError(t, err)
	polled := make(chan struct{}, 16)
	r.sleep = func(ctx context.Context, _ time.Duration) error {
		// Two polls (one failing, one delivering), then park.
		polled <- struct{}{}
		if len(polled) >= 2 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	require.NoError(t, r.Start(context.Background(), storagetest.NewHost(nil)))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	waitFor(t, func() bool { return len(auditIDs(&sink.LogsSink)) == 3 })

	url := "http://" + r.addr.String() + push.Path
	code, _, _ := post(t, url, ev("p1")+"\n"+ev("p2"))
	require.Equal(t, http.StatusOK, code)
	code, _, _ = post(t, url, "{")
	require.Equal(t, http.StatusBadRequest, code)

	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
	metadatatest.AssertEqualReceiverOauthAuditEventsReceived(t, tt, []metricdata.DataPoint[int64]{
		{Value: 3, Attributes: attribute.NewSet(attribute.String("mode", "pull"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("mode", "push"))},
	}, opts...)
	metadatatest.AssertEqualReceiverOauthAuditPolls(t, tt, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)
	metadatatest.AssertEqualReceiverOauthAuditPollErrors(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, opts...)
	metadatatest.AssertEqualReceiverOauthAuditPushesRejected(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "malformed"))},
	}, opts...)
}
