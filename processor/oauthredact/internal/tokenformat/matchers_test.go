package tokenformat

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// anchoredBuiltins are the built-in formats as the regexps define them.
func anchoredBuiltins(t testing.TB) []*regexp.Regexp {
	t.Helper()
	for _, f := range builtins {
		if f.match == nil {
			t.Fatalf("built-in format %q has no matcher", f.Name)
		}
	}
	res := make([]*regexp.Regexp, len(builtins))
	for i, f := range builtins {
		res[i] = regexp.MustCompile(`^(?:` + f.Regexp + `)`)
	}
	return res
}

func regexpLen(re *regexp.Regexp, s string) int {
	if m := re.FindStringIndex(s); m != nil {
		return m[1]
	}
	return -1
}

func checkMatchers(t *testing.T, res []*regexp.Regexp, s string) {
	t.Helper()
	for i, re := range res {
		if got, want := builtins[i].match(s), regexpLen(re, s); got != want {
			t.Fatalf("format %q on a %d-byte input (%q...): matcher %d, regexp %d",
				builtins[i].Name, len(s), s[:min(len(s), 12)], got, want)
		}
	}
}

// matcherSeeds are near misses and hits of every format: too short, wrong
// separators, empty JWE parts, runs ending in bytes of a neighbouring class.
var matcherSeeds = []string{
	"", "eyJ", "eyJhbGci", "eyJhbGci.", "eyJhbGci.e", "eyJhbGci.ey", "eyJhbGci.ey.", "eyJhbGci.ey.sig",
	"eyJhbGci..iv.ct.tag", "eyJhbGci..iv.ct.", "eyJhbGci..iv..tag", "eyJhbGci.k..ct.tag", "eyJhbGci.key..ct.tag", "eyJhbGci.k.iv.ct", "eyJhbGci.k.iv.ct.t.more",
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_x", "eyJab.cd.ef", "eyJabcd.xy.", "eyJabcde.x.",
	"ghp_" + strings.Repeat("a", 29), "ghp_" + strings.Repeat("a", 30), "ghx_" + strings.Repeat("a", 30),
	"ghs_" + strings.Repeat("Z9", 20) + "_-", "gh", "ghp", "ghp_",
	"github_pat_" + strings.Repeat("A_", 11), "github_pat_" + strings.Repeat("A", 21), "github_pat_", "github_pat_" + strings.Repeat("A_9", 8),
	"glpat-" + strings.Repeat("x", 20), "glptt-" + strings.Repeat("-", 19), "glptt-" + strings.Repeat("_", 20),
	"glrt-" + strings.Repeat("9", 25), "gldt-", "gloas-" + strings.Repeat("a", 20) + ".", "glpa-" + strings.Repeat("a", 20),
	"ya29." + strings.Repeat("a", 19), "ya29." + strings.Repeat("a-_", 7), "ya29x" + strings.Repeat("a", 20), "ya29." + strings.Repeat("Z", 40),
	"1//0" + strings.Repeat("b", 20), "1//" + strings.Repeat("b", 21), "1//0" + strings.Repeat("-_", 15),
	"xoxb-" + strings.Repeat("1", 10), "xoxb-" + strings.Repeat("1", 9), "xoxz-" + strings.Repeat("1", 10),
	"xoxe-12345-67890_abc", "xoxe",
	"ory_at_" + strings.Repeat("k", 16), "ory_at_" + strings.Repeat("k", 15), "ory_rt_" + strings.Repeat("k-_", 14) + "." + strings.Repeat("s", 43),
	"ory_ac_" + strings.Repeat("k", 20) + ".", "ory_ac_" + strings.Repeat("k", 20) + ".s", "ory_xx_" + strings.Repeat("k", 20), "ory_at" + strings.Repeat("k", 20),
	"ory_at_" + strings.Repeat("k", 20) + "..s", "ory__at_" + strings.Repeat("k", 20),
	"AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLEXYZ", "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLe", "ASIAY34FZKBOKMUTVV7A", "ASIA0000000000000000",
}

func TestMatchersAgreeWithRegexp(t *testing.T) {
	res := anchoredBuiltins(t)
	for _, s := range matcherSeeds {
		checkMatchers(t, res, s)
		checkMatchers(t, res, s+" tail")
		checkMatchers(t, res, s+".x")
	}
	// random strings over the bytes the formats care about
	const alphabet = "eyJghpousrx_-.1/0AKISlatbdz29AZc"
	rng := rand.New(rand.NewPCG(1, 2))
	prefixes := []string{"eyJ", "gh", "github_pat_", "github_pat_" + strings.Repeat("A_9", 8), "gl", "ya29.", "1//0", "xox", "AKIA", "ASIA", "ory_", "ory_at_", "ory_rt_" + strings.Repeat("k", 16), "ory_ac_", ""}
	for range 200_000 {
		var b strings.Builder
		b.WriteString(prefixes[rng.IntN(len(prefixes))])
		// mostly token bytes, so that long runs (hits) are common
		for range rng.IntN(64) {
			if rng.IntN(8) == 0 {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			} else {
				b.WriteByte("aZ9"[rng.IntN(3)])
			}
		}
		checkMatchers(t, res, b.String())
	}
}

func FuzzMatchers(f *testing.F) {
	for _, s := range matcherSeeds {
		f.Add(s)
	}
	res := anchoredBuiltins(f)
	f.Fuzz(func(t *testing.T, s string) { checkMatchers(t, res, s) })
}

// The random inputs must exercise hits of every format, or agreement on
// them says little.
func TestMatcherInputsHitEveryFormat(t *testing.T) {
	hits := make([]int, len(builtins))
	for _, s := range matcherSeeds {
		for i, f := range builtins {
			if f.match(s) >= 0 {
				hits[i]++
			}
		}
	}
	for i, n := range hits {
		if n < 2 {
			t.Errorf("format %q: %d seed hits", builtins[i].Name, n)
		}
	}
}
