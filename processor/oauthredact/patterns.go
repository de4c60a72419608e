package oauthredact

import (
	"regexp"
)

// TokenFormat is a well-known token format searched inside every string.
type TokenFormat struct {
	// Name says whose token it is (documentation and tests only).
	Name string
	// Regexp matches the whole token.
	Regexp string
}

// BuiltinTokenFormats are the provider token formats searched in every string
// value, in addition to the URL, form, JSON, header and cookie detectors.
// Users extend the list with value_patterns. A match must start at a word
// boundary (the byte before it is not a letter, digit, '-' or '_').
var BuiltinTokenFormats = []TokenFormat{
	{"JWT (JWS compact, or JWE compact: five parts, the second may be empty)", `eyJ[A-Za-z0-9_-]{5,}\.(?:[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)`},
	{"GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)", `gh[pousr]_[A-Za-z0-9]{30,}`},
	{"GitHub fine-grained PAT", `github_pat_[A-Za-z0-9_]{22,}`},
	{"GitLab token (glpat-, gloas-, glrt-, glptt-, gldt-)", `gl(?:pat|oas|rt|ptt|dt)-[A-Za-z0-9_-]{20,}`},
	{"Google OAuth access token", `ya29\.[A-Za-z0-9_-]{20,}`},
	{"Google OAuth refresh token", `1//0[A-Za-z0-9_-]{20,}`},
	{"Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xoxo-)", `xox[abposre]-[A-Za-z0-9-]{10,}`},
	{"AWS access key id", `AKIA[0-9A-Z]{16}`},
	{"AWS temporary access key id", `ASIA[0-9A-Z]{16}`},
}

// valuePattern is a compiled token format. When the regexp has a literal
// prefix, strings are first searched for it with strings.Index and the
// regexp only runs, anchored, where the prefix occurs.
type valuePattern struct {
	prefix   string
	anchored *regexp.Regexp // ^(?:re), used at each prefix occurrence
	re       *regexp.Regexp // unanchored, used when there is no prefix
	// match, for a built-in format, replaces anchored: the match length at
	// the start of its argument, or -1.
	match    func(string) int
	boundary bool
	group    bool // the first capturing group is the secret
}

func compilePattern(expr string, boundary bool) (valuePattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return valuePattern{}, err
	}
	p := valuePattern{re: re, boundary: boundary, group: re.NumSubexp() > 0}
	if prefix, _ := re.LiteralPrefix(); prefix != "" {
		p.prefix = prefix
		p.anchored = regexp.MustCompile(`^(?:` + expr + `)`)
	}
	return p, nil
}
