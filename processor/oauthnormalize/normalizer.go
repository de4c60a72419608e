package oauthnormalize

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-oauth/otelcol-oauth/internal/sharedcomponent"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/claims"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/generichttp"
)

// normalizer is one configured oauth_normalize processor. Its traces and
// logs pipelines share it: a slog line must know the spans already made
// records, and every pipeline learns the same authorization servers.
type normalizer struct {
	cfg *Config
	// http is nil when the generic HTTP vocabulary is off.
	http *generichttp.Vocabulary
	// counted holds the trace and span ids of spans made a request's record.
	counted *claims.Set
	// claimers are the enabled vocabularies' join hooks (claimersOf).
	claimers []vocab.Claimer
	tel      *telemetry
}

// maxCountedSpans bounds counted: a log line arrives within seconds of its
// span, so a few seconds of claimed requests are enough.
const maxCountedSpans = 1 << 16

func newNormalizer(set processor.Settings, cfg *Config) (*normalizer, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	n := &normalizer{cfg: cfg, counted: claims.New(maxCountedSpans), claimers: claimersOf(cfg), tel: tel}
	if g := &cfg.Vocabularies.GenericHTTP; g.Enabled {
		n.http = generichttp.New(generichttp.Settings{
			Endpoints:            g.Endpoints,
			ServerEndpoints:      g.ServerEndpoints,
			AuthorizationServers: g.AuthorizationServers,
			MaxRememberedServers: g.MaxRememberedServers,
		})
	}
	return n, nil
}

// normalizers holds one normalizer per configured component.
var normalizers sharedcomponent.Registry[component.ID, *normalizer]

func acquire(set processor.Settings, cfg *Config) (*normalizer, error) {
	return normalizers.Acquire(set.ID, func() (*normalizer, error) { return newNormalizer(set, cfg) })
}

// release drops one pipeline's reference; the last one stops n's telemetry.
func release(id component.ID, n *normalizer) {
	if normalizers.Release(id) {
		n.tel.shutdown()
	}
}
