package oauthspanmetrics

import "time"

// State: everything an aggregator tracks between flushes; the counting that
// changes it is in count.go, its lifecycle in lifecycle.go.

// Bounds on in-memory state. Variables so tests can make them small.
var (
	defaultMaxGroups = 1000
	defaultMaxFlows  = 100_000
	defaultMaxTokens = 1_000_000
	defaultMaxPKCE   = 100_000
	defaultMaxDedup  = 100_000
)

// state is everything an aggregator counts and tracks. It is guarded by
// aggregator.mu.
type state struct {
	cfg *Config
	now func() time.Time

	groups    map[string]*group
	providers map[string]string // canonical copies, at most MaxProviders

	flows *fifo // oauth.state fingerprint -> authorize time
	// dedup remembers counted OAuth spans so their log records are not
	// counted again.
	dedup  *dedupSet
	tokens int // total across groups
	pkce   int // total across groups
	// dirty is set when the gauges' state changed since it was last saved.
	dirty bool

	maxGroups, maxFlows, maxTokens, maxPKCE int

	overflow  map[string]int64 // label -> values replaced by other
	evictions map[string]int64 // state -> entries dropped

	sides   []string
	sideAll bool
}

func newState(cfg *Config, now func() time.Time) *state {
	s := &state{
		cfg:       cfg,
		now:       now,
		groups:    map[string]*group{},
		providers: map[string]string{},
		flows:     newFIFO(),
		maxGroups: defaultMaxGroups,
		maxFlows:  defaultMaxFlows,
		maxTokens: defaultMaxTokens,
		maxPKCE:   defaultMaxPKCE,
		dedup:     newDedupSet(defaultMaxDedup, cfg.FlowTTL),
		overflow:  map[string]int64{},
		evictions: map[string]int64{},
		sides:     cfg.Sides,
		sideAll:   len(cfg.Sides) == 0,
	}
	// The group without any kept resource attribute always exists, so the
	// label-less counters and the gauges are exported from the start.
	s.groupFor(make([]string, len(cfg.ResourceAttributes)), make([]bool, len(cfg.ResourceAttributes)))
	return s
}

// expire drops flows, tokens, PKCE states and dedup entries past their time.
func (s *state) expire(nowN int64) {
	s.flows.expire(nowN)
	for _, g := range s.groups {
		t, p := g.tokens.expire(nowN), g.pkce.expire(nowN)
		s.tokens -= int(t)
		s.pkce -= int(p)
		if t+p > 0 {
			s.dirty = true
		}
	}
	s.dedup.expire(nowN)
}
