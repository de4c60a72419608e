// Package finding is what every detector produces: the place of a secret
// in a string and the exact value to hash.
package finding

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// MinEchoLen is the shortest secret that is also searched for, verbatim, in
// every other string of the batch (an exception message echoing a token).
// Shorter values would replace ordinary words.
const MinEchoLen = 8

// Finding is a secret at s[Start:End]; Secret is the exact value hashed
// (percent- or JSON-decoded where needed).
type Finding struct {
	Start, End int
	Secret     string
	Named      bool // found by name (key, parameter, header): searched batch-wide
}

// List collects the findings of one string. It is reused across strings
// and batches.
type List struct {
	Items []Finding
	// Mask is the replacement of action mask: a mask is never a secret
	// (a second pass over the output must leave it).
	Mask string
	// Scratch is a buffer a detector may reuse (the decoded Basic
	// credential).
	Scratch []byte
}

// Add records a finding unless the value is empty, already a fingerprint or
// the mask. Named findings (under a secret key, parameter or Authorization
// header) are also searched verbatim in the rest of the batch; findings of
// the free-text heuristics and token formats are not, so a false positive
// never spreads.
func (l *List) Add(start, end int, secret string, named bool) {
	if start >= end || secret == "" || contract.IsFingerprint(secret) || secret == l.Mask {
		return
	}
	l.Items = append(l.Items, Finding{start, end, secret, named})
}
