package oauthspanmetrics

import (
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// group is one set of kept resource attributes: the series and gauge state of
// one service.
type group struct {
	key   string
	attrs []string // aligned with Config.ResourceAttributes
	has   []bool
	sums  []map[labels]*sumPoint  // by metric index
	hists []map[labels]*histPoint // by metric index
	// tokens are the expiry times of the active tokens.
	tokens expiryHeap
	// pkce are the active PKCE states (keyed by oauth.state when present).
	pkce *fifo
}

// groupKey is the map key of a group: the values length-prefixed, so no two
// distinct value lists share a key.
func groupKey(vals []string, has []bool) string {
	var b strings.Builder
	for i, v := range vals {
		if !has[i] {
			b.WriteString("-|")
			continue
		}
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('|')
	}
	return b.String()
}

// groupFor returns the group of the given resource attribute values, creating
// it while fewer than maxGroups exist; beyond that the values become other.
func (s *state) groupFor(vals []string, has []bool) *group {
	key := groupKey(vals, has)
	if g, ok := s.groups[key]; ok {
		return g
	}
	if len(s.groups) >= s.maxGroups {
		s.overflow["resource"]++
		for i := range vals {
			vals[i], has[i] = contract.Other, true
		}
		key = groupKey(vals, has)
		if g, ok := s.groups[key]; ok {
			return g
		}
	}
	n := len(contract.Metrics)
	g := &group{
		key:   key,
		attrs: slices.Clone(vals),
		has:   slices.Clone(has),
		sums:  make([]map[labels]*sumPoint, n),
		hists: make([]map[labels]*histPoint, n),
		pkce:  newFIFO(),
	}
	for i := range g.attrs {
		g.attrs[i] = strings.Clone(g.attrs[i])
	}
	s.groups[key] = g
	return g
}

// resourceGroup returns the group of a resource.
func (s *state) resourceGroup(res pcommon.Map) *group {
	n := len(s.cfg.ResourceAttributes)
	vals, has := make([]string, n), make([]bool, n)
	for i, k := range s.cfg.ResourceAttributes {
		if v, ok := res.Get(k); ok {
			vals[i], has[i] = str(v), true
		}
	}
	return s.groupFor(vals, has)
}
