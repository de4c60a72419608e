package tokenformat

import "regexp"

// pattern is a compiled token format. When the regexp has a literal
// prefix, strings are first searched for it with strings.Index and the
// regexp only runs, anchored, where the prefix occurs.
type pattern struct {
	prefix   string
	anchored *regexp.Regexp // ^(?:re), used at each prefix occurrence
	re       *regexp.Regexp // unanchored, used when there is no prefix
	// match, for a built-in format, replaces anchored: the match length at
	// the start of its argument, or -1.
	match    func(string) int
	boundary bool
	group    bool // the first capturing group is the secret
}

func compilePattern(expr string, boundary bool) (pattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return pattern{}, err
	}
	p := pattern{re: re, boundary: boundary, group: re.NumSubexp() > 0}
	if prefix, _ := re.LiteralPrefix(); prefix != "" {
		p.prefix = prefix
		p.anchored = regexp.MustCompile(`^(?:` + expr + `)`)
	}
	return p, nil
}
