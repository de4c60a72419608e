package tokenformat

import "github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"

// The built-in token formats are simple enough (a literal prefix, then runs
// of one byte class) to match by hand. Go's regexp spends most of the
// redactor's time in its backtracker on token-dense traffic; these matchers
// return exactly what the anchored regexp would (TestMatchersAgreeWithRegexp
// and FuzzMatchers hold them to it). builtins (formats.go) pairs each with
// its regexp.

type byteClass uint8

const (
	alnum      byteClass = iota // [A-Za-z0-9]
	b64url                      // [A-Za-z0-9_-]
	alnumUnder                  // [A-Za-z0-9_]
	alnumDash                   // [A-Za-z0-9-]
	upperDigit                  // [0-9A-Z]
	numByteClass
)

var classTable = func() (t [numByteClass][256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		a := ascii.IsAlnum(b)
		t[alnum][c] = a
		t[b64url][c] = a || b == '_' || b == '-'
		t[alnumUnder][c] = a || b == '_'
		t[alnumDash][c] = a || b == '-'
		t[upperDigit][c] = 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
	}
	return t
}()

// run returns the end of the longest run of class bytes starting at i.
func run(s string, i int, c byteClass) int {
	t := &classTable[c]
	for i < len(s) && t[s[i]] {
		i++
	}
	return i
}

// prefixRun matches prefix followed by at least n bytes of class c.
func prefixRun(s, prefix string, c byteClass, n int) int {
	if len(s) < len(prefix) || s[:len(prefix)] != prefix {
		return -1
	}
	return atLeast(s, len(prefix), c, n)
}

// atLeast matches at least n bytes of class c from i and returns the end.
func atLeast(s string, i int, c byteClass, n int) int {
	if e := run(s, i, c); e-i >= n {
		return e
	}
	return -1
}

func at(s string, i int, c byte) bool { return i < len(s) && s[i] == c }

// matchJWT: eyJ, a first part of at least 5 bytes, then either the five-part
// JWE shape (tried first, as the regexp's alternation does) or the rest of a
// JWS. Parts cannot hold '.', so each is the longest run and nothing
// backtracks.
func matchJWT(s string) int {
	if len(s) < 3 || s[:3] != "eyJ" {
		return -1
	}
	p := atLeast(s, 3, b64url, 5)
	if p < 0 || !at(s, p, '.') {
		return -1
	}
	p++
	if e := matchJWE(s, p); e >= 0 {
		return e
	}
	a := run(s, p, b64url)
	if a-p < 2 || !at(s, a, '.') {
		return -1
	}
	return run(s, a+1, b64url)
}

// matchJWE matches the four parts after the first one of a JWE compact
// serialisation: key*, iv+, ciphertext+, tag*.
func matchJWE(s string, p int) int {
	a := run(s, p, b64url)
	if !at(s, a, '.') {
		return -1
	}
	b := run(s, a+1, b64url)
	if b == a+1 || !at(s, b, '.') {
		return -1
	}
	c := run(s, b+1, b64url)
	if c == b+1 || !at(s, c, '.') {
		return -1
	}
	return run(s, c+1, b64url)
}

func matchGitHub(s string) int {
	if len(s) < 4 || s[:2] != "gh" || s[3] != '_' {
		return -1
	}
	switch s[2] {
	case 'p', 'o', 'u', 's', 'r':
		return atLeast(s, 4, alnum, 30)
	}
	return -1
}

func matchGitHubPAT(s string) int { return prefixRun(s, "github_pat_", alnumUnder, 22) }

func matchGitLab(s string) int {
	if len(s) < 2 || s[:2] != "gl" {
		return -1
	}
	for _, kind := range [...]string{"pat-", "oas-", "rt-", "ptt-", "dt-"} {
		if e := prefixRun(s[2:], kind, b64url, 20); e >= 0 {
			return 2 + e
		}
	}
	return -1
}

func matchSlack(s string) int {
	if len(s) < 5 || s[:3] != "xox" || s[4] != '-' {
		return -1
	}
	switch s[3] {
	case 'a', 'b', 'p', 'o', 's', 'r', 'e':
		return atLeast(s, 5, alnumDash, 10)
	}
	return -1
}

// awsKey: the prefix and exactly 16 upper-case letters or digits; a longer
// run still matches its first 16, as the regexp does.
func awsKey(s, prefix string) int {
	if len(s) < len(prefix)+16 || s[:len(prefix)] != prefix {
		return -1
	}
	if run(s[:len(prefix)+16], len(prefix), upperDigit) != len(prefix)+16 {
		return -1
	}
	return len(prefix) + 16
}

// matchOry: Hydra's HMAC tokens, ory_ + at/rt/ac + _, the key (at least 16
// base64url bytes), then '.' and the signature when there is one (the
// regexp's optional group is greedy: taken when it matches).
func matchOry(s string) int {
	if len(s) < 7 || s[:4] != "ory_" || s[6] != '_' {
		return -1
	}
	switch s[4:6] {
	case "at", "rt", "ac":
	default:
		return -1
	}
	p := atLeast(s, 7, b64url, 16)
	if p < 0 {
		return -1
	}
	if at(s, p, '.') {
		if e := run(s, p+1, b64url); e > p+1 {
			return e
		}
	}
	return p
}
