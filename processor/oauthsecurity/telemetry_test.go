package oauthsecurity

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadatatest"
)

func TestSelfTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	cfg := testConfig()
	cfg.MaxEntries = 2
	d, err := newDetector(cfg, metadatatest.NewSettings(tel))
	require.NoError(t, err)
	defer d.tb.Shutdown()
	h := &harness{t: t, d: d, clock: t0}
	d.now = func() time.Time { return h.clock }

	h.span(refresh(1, fp("a")))
	h.span(refresh(2, fp("a")))                                                     // token_reuse (detected), +1 incident entry
	h.log(rec{trace: 3, attrs: map[string]string{"event": "pkce_replay_detected"}}) // reported
	h.span(refresh(4, fp("b")))                                                     // evictions

	metadatatest.AssertEqualProcessorOauthSecurityFindings(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("event_type", "token_reuse"), attribute.String("source", "detected"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("event_type", "pkce_replay"), attribute.String("source", "reported"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorOauthSecurityEvictions(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorOauthSecurityStateEntries(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
}
