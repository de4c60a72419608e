package oauthspanmetrics

import (
	"encoding/json"
	"fmt"
	"slices"
)

// storageKey is the key under which the gauges' state is kept.
const storageKey = "oauth_span_metrics.gauges.v1"

// snapshot is the persisted state behind oauth_active_tokens and
// oauth_active_pkce_states. Expiry times are absolute (unix nanoseconds), so
// entries keep expiring across a restart. Counters are not persisted: they
// restart from 0 with a new start timestamp, as cumulative counters do.
type snapshot struct {
	Version int             `json:"version"`
	Groups  []groupSnapshot `json:"groups"`
}

type groupSnapshot struct {
	// Attrs are the kept resource attributes by name (absent ones omitted).
	Attrs  map[string]string `json:"attrs"`
	Tokens []int64           `json:"tokens,omitempty"`
	PKCE   []pkceSnapshot    `json:"pkce,omitempty"`
}

type pkceSnapshot struct {
	// Key is the 64-bit hash of the oauth.state fingerprint (0: none); the
	// fingerprint itself is not stored.
	Key uint64 `json:"key,omitempty"`
	Exp int64  `json:"exp"`
}

func (s *state) marshal() ([]byte, error) {
	snap := snapshot{Version: 1}
	for _, g := range s.groups {
		if g.tokens.Len() == 0 && g.pkce.live == 0 {
			continue
		}
		gs := groupSnapshot{Attrs: map[string]string{}, Tokens: slices.Clone([]int64(g.tokens))}
		for i, k := range s.cfg.ResourceAttributes {
			if g.has[i] {
				gs.Attrs[k] = g.attrs[i]
			}
		}
		for _, e := range g.pkce.entries() {
			gs.PKCE = append(gs.PKCE, pkceSnapshot{Key: e.key, Exp: e.exp})
		}
		snap.Groups = append(snap.Groups, gs)
	}
	slices.SortFunc(snap.Groups, func(a, b groupSnapshot) int {
		return compareAttrs(a.Attrs, b.Attrs)
	})
	return json.Marshal(snap)
}

func compareAttrs(a, b map[string]string) int {
	ka, kb := fmt.Sprint(a), fmt.Sprint(b) // fmt sorts map keys
	switch {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	}
	return 0
}

// restore adds a persisted snapshot to the state, within the usual bounds.
// Resource attributes no longer configured are dropped; entries already
// expired are dropped at the next flush.
func (s *state) restore(data []byte) error {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return err
	}
	if snap.Version != 1 {
		return fmt.Errorf("unknown snapshot version %d", snap.Version)
	}
	n := len(s.cfg.ResourceAttributes)
	for _, gs := range snap.Groups {
		vals, has := make([]string, n), make([]bool, n)
		for i, k := range s.cfg.ResourceAttributes {
			vals[i], has[i] = gs.Attrs[k]
		}
		g := s.groupFor(vals, has)
		for _, exp := range gs.Tokens {
			if s.tokens >= s.maxTokens {
				s.evictions["tokens"]++
				continue
			}
			g.tokens.push(exp)
			s.tokens++
		}
		// Entries were written oldest first and share one TTL, so the
		// fifo's order is kept.
		for _, p := range gs.PKCE {
			if _, dup := g.pkce.get(p.Key); dup && p.Key != 0 {
				continue
			}
			if s.pkce >= s.maxPKCE {
				s.evictions["pkce_states"]++
				continue
			}
			g.pkce.add(p.Key, p.Exp, 0)
			s.pkce++
		}
	}
	return nil
}
