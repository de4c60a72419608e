package keysource

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// claimTable remembers which key digest each running component uses. The
// collector builds all pipelines of one config in one process, so a process
// table is where two components can be compared.
type claimTable struct {
	mu sync.Mutex
	m  map[component.ID]claim
}

type claim struct {
	digest [32]byte
	refs   int // a processor used in two pipelines starts twice
}

func newClaimTable() *claimTable { return &claimTable{m: map[component.ID]claim{}} }

func (t *claimTable) claim(self component.ID, digest [32]byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	others := make([]component.ID, 0, len(t.m))
	for id := range t.m {
		others = append(others, id)
	}
	// Sorted, so the error names the same component on every run.
	slices.SortFunc(others, func(a, b component.ID) int { return strings.Compare(a.String(), b.String()) })
	for _, id := range others {
		if id != self && t.m[id].digest != digest {
			return fmt.Errorf("%w: %s and %s (configure the key once in an %s extension and reference it from both)",
				ErrKeysDiffer, id, self, ExtensionType)
		}
	}
	c := t.m[self]
	c.digest = digest
	c.refs++
	t.m[self] = c
	return nil
}

func (t *claimTable) release(self component.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.m[self]
	if !ok {
		return
	}
	c.refs--
	if c.refs <= 0 {
		delete(t.m, self)
		return
	}
	t.m[self] = c
}
