package oauthsafeerrors

import (
	"regexp"
	"strconv"
	"strings"
)

// echoRe matches the input excerpts JSON decoders quote in their errors,
// for example `...|{"name":"ghp_...|...` (jsoniter). Everything between the
// markers came from the request.
var echoRe = regexp.MustCompile(`(?s)\.\.\.\|.*?\|\.\.\.`)

type sanitizer struct {
	minLen int
	mask   string
	token  *regexp.Regexp
}

func newSanitizer(minLen int, mask string) *sanitizer {
	return &sanitizer{
		minLen: minLen,
		mask:   mask,
		token:  regexp.MustCompile(`[A-Za-z0-9\-._~+/=]{` + strconv.Itoa(minLen) + `,}`),
	}
}

// scrub removes request echoes, then masks every run of token characters at
// least minLen long that mixes letters and digits (error texts written by
// people rarely do; tokens almost always do).
func (s *sanitizer) scrub(msg string) string {
	msg = echoRe.ReplaceAllString(msg, "..."+s.mask+"...")
	return s.token.ReplaceAllStringFunc(msg, func(run string) string {
		if strings.ContainsAny(run, "0123456789") && strings.IndexFunc(run, isLetter) >= 0 {
			return s.mask
		}
		return run
	})
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
