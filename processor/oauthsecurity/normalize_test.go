package oauthsecurity

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize"
)

// newNormalizer starts the oauth_normalize processor (default config, as
// every shipped pipeline places it before oauth_security) and returns a
// function that runs it over a batch, so that the vocabularies apps and
// servers emit (Pino events, AuthPlane audit actions) reach the detector as
// contract attributes only.
func newNormalizer(t testing.TB) func(plog.Logs) plog.Logs {
	t.Helper()
	f := oauthnormalize.NewFactory()
	sink := new(consumertest.LogsSink)
	p, err := f.CreateLogs(t.Context(), processortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(t.Context(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(t.Context())) })
	return func(ld plog.Logs) plog.Logs {
		sink.Reset()
		require.NoError(t, p.ConsumeLogs(t.Context(), ld))
		require.Len(t, sink.AllLogs(), 1)
		return sink.AllLogs()[0]
	}
}

// normalizeLogs runs a fresh normalizer over one batch.
func normalizeLogs(t testing.TB, ld plog.Logs) plog.Logs { return newNormalizer(t)(ld) }
