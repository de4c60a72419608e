package oauthnormalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestKeycloakClaims: of the story's spans, exactly the 26.3 INTERNAL
// spans with an event are claimed; roots (with or without an event, either
// layout) and spans without an event are not. Switched off, the
// vocabulary claims nothing.
func TestKeycloakClaims(t *testing.T) {
	s := loadStory(t)
	td, spans := newKeycloakBatch(s)
	var want int
	for i := range s.Requests {
		build(&s.Requests[i], i, spans, spans)
		if s.Requests[i].Layout == "internal" && s.Requests[i].Event != nil {
			want++
		}
	}
	n, _ := newTestNormalizer(t, nil)
	off, _ := newTestNormalizer(t, func(c *Config) { c.Vocabularies.Keycloak.Enabled = false })
	res := td.ResourceSpans().At(0).Resource().Attributes()
	var got int
	for i := 0; i < spans.Len(); i++ {
		sp := spans.At(i)
		if n.claims(sp, res) {
			got++
			assert.Equal(t, ptrace.SpanKindInternal, sp.Kind(), sp.Name())
		}
		assert.False(t, off.claims(sp, res), sp.Name())
	}
	assert.Positive(t, want)
	assert.Equal(t, want, got)
	assert.False(t, n.claims(ptrace.NewSpan(), pcommon.NewMap()))
}

// claims reports whether one of n's claimers claims s.
func (n *normalizer) claims(s ptrace.Span, res pcommon.Map) bool {
	for _, c := range n.claimers {
		if c(s, res) {
			return true
		}
	}
	return false
}
