// Package tokenformat finds well-known provider tokens (JWT, GitHub,
// GitLab, Google, Slack, AWS, Ory Hydra) and the user's value_patterns in free text.
// The built-in formats are matched by hand; each sits beside its regexp.
package tokenformat

// Format is a well-known token format searched inside every string.
type Format struct {
	// Name says whose token it is (documentation and tests only).
	Name string
	// Regexp matches the whole token.
	Regexp string
	// match returns what the regexp, anchored, matches at the start of its
	// argument: the length, or -1.
	match func(s string) int
}

// builtins are the provider token formats searched in every string value,
// in addition to the URL, form, JSON, header and cookie detectors. Users
// extend the list with value_patterns. A match must start at a word
// boundary (the byte before it is not a letter, digit, '-' or '_').
//
// Each regexp sits beside the hand-written matcher that runs in its place
// (matchers.go); TestMatchersAgreeWithRegexp and FuzzMatchers hold each
// matcher to its regexp.
var builtins = [...]Format{
	{"JWT (JWS compact, or JWE compact: five parts, the second may be empty)", `eyJ[A-Za-z0-9_-]{5,}\.(?:[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)`, matchJWT},
	{"GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)", `gh[pousr]_[A-Za-z0-9]{30,}`, matchGitHub},
	{"GitHub fine-grained PAT", `github_pat_[A-Za-z0-9_]{22,}`, matchGitHubPAT},
	{"GitLab token (glpat-, gloas-, glrt-, glptt-, gldt-)", `gl(?:pat|oas|rt|ptt|dt)-[A-Za-z0-9_-]{20,}`, matchGitLab},
	{"Google OAuth access token", `ya29\.[A-Za-z0-9_-]{20,}`, func(s string) int { return prefixRun(s, "ya29.", b64url, 20) }},
	{"Google OAuth refresh token", `1//0[A-Za-z0-9_-]{20,}`, func(s string) int { return prefixRun(s, "1//0", b64url, 20) }},
	{"Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xoxo-)", `xox[abposre]-[A-Za-z0-9-]{10,}`, matchSlack},
	{"AWS access key id", `AKIA[0-9A-Z]{16}`, func(s string) int { return awsKey(s, "AKIA") }},
	{"AWS temporary access key id", `ASIA[0-9A-Z]{16}`, func(s string) int { return awsKey(s, "ASIA") }},
	{"Ory Hydra token (ory_at_ access, ory_rt_ refresh, ory_ac_ authorization code: key.signature)", `ory_(?:at|rt|ac)_[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]+)?`, matchOry},
}

// Builtin returns the built-in formats, a copy: the list itself cannot be
// changed from outside.
func Builtin() []Format {
	out := builtins
	return out[:]
}

// Match returns the length of the format's token at the start of s, or -1.
// Only a built-in format has a matcher; another returns -1.
func (f Format) Match(s string) int {
	if f.match == nil {
		return -1
	}
	return f.match(s)
}
