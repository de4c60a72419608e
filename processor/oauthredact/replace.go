package oauthredact

import "github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/finding"

// apply rewrites s with the collected findings (earliest first, overlaps
// dropped) and reports whether it changed. Findings are consumed.
func (sc *scanner) apply(s string) (string, int) {
	f := sc.finds.Items
	if len(f) == 0 {
		return s, 0
	}
	if len(f) == 1 && f[0].Start == 0 && f[0].End == len(s) {
		// the whole value (a secret key's): its replacement as is
		sc.finds.Items = sc.finds.Items[:0]
		return sc.replacement(f[0].Secret, f[0].Named), 1
	}
	// insertion sort by start, longest first on ties: the lists are tiny.
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && (f[j].Start < f[j-1].Start || f[j].Start == f[j-1].Start && f[j].End > f[j-1].End); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
	out := sc.out[:0]
	last, n := 0, 0
	for _, x := range f {
		if x.Start < last {
			continue
		}
		out = append(out, s[last:x.Start]...)
		out = append(out, sc.replacement(x.Secret, x.Named)...)
		last = x.End
		n++
	}
	out = append(out, s[last:]...)
	sc.out = out
	sc.finds.Items = sc.finds.Items[:0]
	return string(out), n
}

// replacement returns what a secret becomes, and remembers a named secret
// for the batch-wide search.
func (sc *scanner) replacement(secret string, named bool) string {
	k := sc.known.get(secret)
	if k.rep == "" {
		k.rep = sc.rules.mask
		if sc.rules.action == ActionFingerprint {
			k.rep = sc.fp.Fingerprint(secret)
		}
	}
	if named && !k.listed && len(secret) >= finding.MinEchoLen && !sc.echoing {
		k.listed = true
		sc.knownList = append(sc.knownList, secret)
		if sc.minKnown == 0 || len(secret) < sc.minKnown {
			sc.minKnown = len(secret)
		}
	}
	return k.rep
}
