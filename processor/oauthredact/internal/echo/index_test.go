package echo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"
)

// naiveKnown is the reference search: every position, leftmost first, the
// first listed secret that matches there and does not cut a word.
func naiveKnown(s string, list []string) []finding.Finding {
	var out []finding.Finding
	for i := 0; i < len(s); i++ {
		for _, k := range list {
			if strings.HasPrefix(s[i:], k) && !cutsWord(s, i, i+len(k)) {
				out = append(out, finding.Finding{Start: i, End: i + len(k), Secret: k})
				i += len(k) - 1
				break
			}
		}
	}
	return out
}

// chainOrder lists the secrets in the order the index tries them at one
// position (the last added first), so the reference picks the same one
// when two secrets start with the same bytes.
func chainOrder(list []string) []string {
	out := slices.Clone(list)
	slices.Reverse(out)
	return out
}

func TestScanKnownMatchesNaiveSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "ab-_ .:=/"
	randStr := func(n int, set string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[rng.IntN(len(set))]
		}
		return string(b)
	}
	for round := range 3000 {
		// secrets of 8 to 40 bytes over a small alphabet, so that they
		// share prefixes and occur inside each other and inside words
		var list []string
		seen := map[string]bool{}
		minLen := 0
		for range 1 + rng.IntN(6) {
			k := randStr(8+rng.IntN(33), "abAB01")
			if seen[k] {
				continue
			}
			seen[k] = true
			list = append(list, k)
			if minLen == 0 || len(k) < minLen {
				minLen = len(k)
			}
		}
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(randStr(rng.IntN(12), alphabet))
			k := list[rng.IntN(len(list))]
			if rng.IntN(4) == 0 {
				k = k[:len(k)/2+rng.IntN(len(k)/2)] // a partial copy
			}
			b.WriteString(k)
		}
		s := b.String()

		var e Index
		var found finding.List
		e.Build(list, minLen)
		e.Scan(&found, s)
		got := slices.Clone(found.Items)
		e.Forget()

		want := naiveKnown(s, chainOrder(list))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %d secrets (shortest %d) in %d bytes: found %v, want %v", round, len(list), minLen, len(s), spans(got), spans(want))
		}
	}
}

func spans(fs []finding.Finding) [][2]int {
	out := make([][2]int, len(fs))
	for i, f := range fs {
		out[i] = [2]int{f.Start, f.End}
	}
	return out
}
