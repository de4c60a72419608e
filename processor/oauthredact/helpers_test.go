package oauthredact

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/metadata"
)

func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.FingerprintKey = testkey.Key
	return cfg
}

func fp(secret string) string {
	return contract.NewFingerprinter(testkey.Key).Fingerprint(secret)
}

func newTestRedactor(t testing.TB, cfg *Config) *redactor {
	t.Helper()
	require.NoError(t, cfg.Validate())
	r, err := newRedactor(cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	return r
}

// redactOne runs the detectors on one value under key ("" for a log body).
func redactOne(r *redactor, key, in string) string {
	sc := r.get()
	defer r.put(context.Background(), sc, sigLogs)
	kind := kindText
	if key != "" {
		kind = sc.classify(key)
	}
	out, _ := sc.str(in, kind)
	return out
}

// hide replaces every secret in s, so a failing test never prints one.
func hide(s string, secrets ...string) string {
	for _, x := range secrets {
		if x != "" {
			s = strings.ReplaceAll(s, x, "<SECRET>")
		}
	}
	return s
}

// equalNoLeak fails with the secrets hidden when got differs from want.
func equalNoLeak(t testing.TB, want, got string, secrets ...string) {
	t.Helper()
	if got != want {
		t.Errorf("got  %q\nwant %q", hide(got, secrets...), hide(want, secrets...))
	}
}

// noLeak fails when any secret appears in b (without printing it).
func noLeak(t testing.TB, what string, b []byte, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(string(b), s) {
			t.Errorf("%s: secret #%d (%d bytes) leaked", what, i, len(s))
		}
	}
}

func testSettings() processor.Settings {
	return processortest.NewNopSettings(metadata.Type)
}
