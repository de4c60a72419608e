package oauthnormalize

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/metadatatest"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
)

// kcEventLogs are the story's events as log records in the shape the
// oauth_audit receiver gives Keycloak's events API: event name and body =
// the type, the same kc.* attributes as the span event.
func kcEventLogs(s kcStory) (plog.Logs, []plog.LogRecord) {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	recs := make([]plog.LogRecord, len(s.Requests))
	for i, r := range s.Requests {
		if r.Event == nil {
			continue
		}
		lr := lrs.AppendEmpty()
		lr.SetEventName(r.Event.Name)
		lr.Body().SetStr(r.Event.Name)
		for k, v := range r.Event.Attributes {
			lr.Attributes().PutStr(k, v)
		}
		recs[i] = lr
	}
	return ld, recs
}

// The events API's records of the story get exactly the contract
// attributes its traces give their request roots (one table): the same
// operations, the one reported token_reuse and code_injection, the flow ids
// that join a LOGIN to its CODE_TO_TOKEN, nothing for the login errors and
// the logout.
func TestKeycloakEventLogsStoryGolden(t *testing.T) {
	s := loadStory(t)
	n, tt := newTestNormalizer(t, nil)
	ld, recs := kcEventLogs(s)
	n.logs(t, ld)

	reported := map[string]int{}
	for i, r := range s.Requests {
		if r.Event == nil {
			continue
		}
		got := contractAttrs(recs[i].Attributes())
		assert.Equal(t, r.Want, got, r.ID)
		if e := got[contract.AttrReportedEventType]; e != "" {
			reported[e]++
		}
	}
	assert.Equal(t, map[string]int{contract.EventTokenReuse: 1, contract.EventCodeInjection: 1}, reported)
	metadatatest.AssertEqualProcessorOauthNormalizeRecordsMapped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("vocabulary", "keycloak")),
		Value:      int64(len(s.Requests) - 2),
	}}, metricdatatest.IgnoreTimestamp())
}

// A log record is Keycloak's only with a known event type as event name
// and kc.realmId: another record with a LOGIN body, or a Keycloak event
// type the vocabulary does not know, passes through untouched.
func TestKeycloakEventLogsClaimOnlyTheirShape(t *testing.T) {
	n, _ := newTestNormalizer(t, nil)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	noRealm := lrs.AppendEmpty()
	noRealm.SetEventName(contract.KeycloakCodeToToken)
	noRealm.Attributes().PutStr(contract.KeycloakClientID, "web")
	unknown := lrs.AppendEmpty()
	unknown.SetEventName("UPDATE_PROFILE")
	unknown.Attributes().PutStr(contract.KeycloakRealmID, "r")
	body := lrs.AppendEmpty()
	body.Body().SetStr(contract.KeycloakLogin)
	body.Attributes().PutStr(contract.KeycloakRealmID, "r")
	n.logs(t, ld)
	for i := 0; i < lrs.Len(); i++ {
		assert.Empty(t, contractAttrs(lrs.At(i).Attributes()), "record %d", i)
	}
}

// Through oauth_redact, no token id of the story survives in the log
// records (contract TokenIdentifierKeys cover log attributes too), and the
// presented refresh token on the record is the fingerprint of its
// kc.details.refresh_token_id.
func TestKeycloakEventLogsRedacted(t *testing.T) {
	s := loadStory(t)
	n, _ := newTestNormalizer(t, nil)
	ld, _ := kcEventLogs(s)
	n.logs(t, ld)

	f := oauthredact.NewFactory()
	cfg := f.CreateDefaultConfig().(*oauthredact.Config)
	cfg.FingerprintKey = testkey.Key
	sink := new(consumertest.LogsSink)
	p, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))

	var ids []string
	for _, r := range s.Requests {
		if r.Event == nil {
			continue
		}
		for _, k := range contract.TokenIdentifierKeys {
			if v, ok := r.Event.Attributes[k]; ok {
				ids = append(ids, v)
			}
		}
	}
	require.NotEmpty(t, ids)
	out, err := (&plog.JSONMarshaler{}).MarshalLogs(sink.AllLogs()[0])
	require.NoError(t, err)
	for _, id := range ids {
		if strings.Contains(string(out), id) {
			t.Fatalf("a raw token id of the story reached the output")
		}
	}
	lrs := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	checked := 0
	for i := 0; i < lrs.Len(); i++ {
		a := lrs.At(i).Attributes()
		rt, ok := a.Get(contract.AttrRefreshToken)
		if !ok {
			continue
		}
		kc, _ := a.Get(contract.AttrKeycloakRefreshTokenID)
		assert.Equal(t, kc.Str(), rt.Str())
		assert.True(t, strings.HasPrefix(rt.Str(), "fp:"))
		checked++
	}
	assert.Equal(t, 4, checked) // two refreshes, the reuse, the stale token
}
