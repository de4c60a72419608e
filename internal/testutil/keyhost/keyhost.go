// Package keyhost gives unit tests a host that serves a real
// oauth_fingerprint extension, so a component under test takes its key the
// way a collector gives it.
package keyhost

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/otelcol-oauth/otelcol-oauth/extension/oauthfingerprint"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/storagetest"
)

// ID is the extension's id in the hosts this package builds.
var ID = component.MustNewID("oauth_fingerprint")

// New returns a host whose oauth_fingerprint extension holds key and
// previous, plus any other extensions given.
func New(t testing.TB, key string, previous []string, others map[component.ID]component.Component) storagetest.Host {
	t.Helper()
	f := oauthfingerprint.NewFactory()
	cfg := f.CreateDefaultConfig().(*oauthfingerprint.Config)
	cfg.Key = configopaque.String(key)
	for _, p := range previous {
		cfg.PreviousKeys = append(cfg.PreviousKeys, configopaque.String(p))
	}
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	exts := map[component.ID]component.Component{ID: ext}
	for id, c := range others {
		exts[id] = c
	}
	return storagetest.NewHost(exts)
}
