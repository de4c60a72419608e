package tokenformat

// Set is the compiled token formats of a config: the built-in ones and the
// user's value_patterns. It is immutable once built.
type Set struct {
	// minLen is the shortest string the token formats can match.
	minLen   int
	patterns []pattern
	// pairs has a bit for the first two bytes of every pattern prefix; the
	// patterns without a prefix of at least two bytes are in loose.
	pairs    [65536 / 64]uint64
	hasPairs bool
	loose    []int
}

// NewSet compiles the built-in formats and the user patterns (already
// validated: one that does not compile is skipped).
func NewSet(user []string) *Set {
	t := &Set{}
	for _, f := range builtins {
		p, err := compilePattern(f.Regexp, true)
		if err != nil {
			panic(err) // built-in, covered by tests
		}
		p.match = f.match
		t.patterns = append(t.patterns, p)
	}
	for _, expr := range user {
		p, err := compilePattern(expr, false)
		if err == nil { // validated
			t.patterns = append(t.patterns, p)
		}
	}
	t.minLen = 12 // the shortest built-in format (a JWT)
	if len(user) > 0 {
		t.minLen = 1
	}
	for i, p := range t.patterns {
		if len(p.prefix) < 2 || !p.boundary {
			t.loose = append(t.loose, i)
			continue
		}
		pair := uint16(p.prefix[0]) | uint16(p.prefix[1])<<8
		t.pairs[pair>>6] |= 1 << (pair & 63)
		t.hasPairs = true
	}
	return t
}
