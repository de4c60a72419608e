package oauthsecurity

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity/internal/metadata"
)

// detector holds the detection state of one configured oauth_security
// component; its traces and logs pipelines share it, so a token rotated in a
// span and replayed in a log is still one history.
type detector struct {
	cfg    *Config
	id     component.ID
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder
	now    func() time.Time

	// mu guards everything below it; inspectBatch and checkpoint take it.
	mu      sync.Mutex
	st      *store
	issuers map[issuerKey]string
	fp      *contract.Fingerprinter
	// prev fingerprint raw secrets under the previous keys of a rotation.
	prev    []*contract.Fingerprinter
	claimed bool
	graceMs int64
	dirty   bool
	findBuf []finding
	pending []pending
	size    atomic.Int64

	// lifecycle and persistence (lifecycle.go, snapshot.go)
	started int
	persist *persister
	// shared is the state shared with other gateways, nil without
	// shared_state (store_shared.go).
	shared *sharedState
}

func newDetector(cfg *Config, set processor.Settings) (*detector, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	d := &detector{
		cfg:     cfg,
		id:      set.ID,
		logger:  set.Logger,
		tb:      tb,
		now:     time.Now,
		issuers: map[issuerKey]string{},
		// the deprecated key, until start reads the key source
		fp:      contract.NewFingerprinter(string(cfg.FingerprintKey)),
		graceMs: cfg.ReuseGracePeriod.Milliseconds(),
	}
	var ttl [numKinds]int64
	ttl[kindRefresh] = cfg.RefreshTokenTTL.Milliseconds()
	ttl[kindCode] = cfg.CodeTTL.Milliseconds()
	ttl[kindVerifier] = cfg.CodeTTL.Milliseconds()
	ttl[kindTracePKCEFail] = cfg.CodeTTL.Milliseconds()
	ttl[kindTraceRedeemed] = cfg.CodeTTL.Milliseconds()
	ttl[kindState] = cfg.StateTTL.Milliseconds()
	ttl[kindIncident] = max(cfg.CodeTTL, cfg.StateTTL).Milliseconds()
	d.st = newStore(cfg.MaxEntries, ttl)
	err = tb.RegisterProcessorOauthSecurityStateEntriesCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(d.size.Load())
		return nil
	})
	return d, err
}
