package params

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
)

// nameStart returns where the parameter name ending at i starts: after the
// last byte that cannot be part of a name (j), and, when that byte starts an
// escape that may encode a delimiter (%3F, %253F, \u0026, \n), after the
// escape (esc; j otherwise). Both are candidates: "C:\code=" is a path.
func nameStart(s string, i int) (j, esc int) {
	j = i
	for j > 0 && ascii.IsNameByte(s[j-1]) {
		j--
	}
	return j, skipEscape(s, j, i)
}

func skipEscape(s string, j, i int) int {
	if j == 0 || j >= i {
		return j
	}
	switch s[j-1] {
	case '%':
		k := j
		for strings.HasPrefix(s[k:i], "25") {
			k += 2
		}
		if k+2 <= i && ascii.IsHex(s[k]) && ascii.IsHex(s[k+1]) {
			return k + 2
		}
		if k > j {
			return k // %25 then the name
		}
	case '\\':
		if s[j] == 'u' && j+5 <= i && ascii.IsHex(s[j+1]) && ascii.IsHex(s[j+2]) && ascii.IsHex(s[j+3]) && ascii.IsHex(s[j+4]) {
			return j + 5
		}
		return j + 1
	}
	return j
}
