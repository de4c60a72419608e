// Package ascii holds the byte classes the detectors agree on: what a
// token, a parameter name, a credential or a blank is. Each is a small
// function the compiler inlines into the detectors' loops.
package ascii

import "strings"

// IsAlnum reports whether c is an ASCII letter or digit.
func IsAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// IsTokenByte reports whether c is a byte of a base64url token (letters,
// digits, '-' and '_', as in an Authorization scheme word). A built-in
// token format only starts after another byte (a word boundary), and an
// echo never starts or ends inside a run of them.
func IsTokenByte(c byte) bool {
	return IsAlnum(c) || c == '-' || c == '_'
}

// IsNameByte reports whether c may be part of a parameter or cookie name.
func IsNameByte(c byte) bool {
	return IsAlnum(c) || c == '_' || c == '-' || c == '.'
}

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// IsBlank reports whether c is a space or a tab.
func IsBlank(c byte) bool { return c == ' ' || c == '\t' }

// IsJSONBlank reports whether c is JSON whitespace.
func IsJSONBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// IsToken68 reports whether c may appear in an HTTP token68 credential.
func IsToken68(c byte) bool {
	return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// Lower returns s in lower case, using buf when s is short (no allocation).
func Lower(buf *[64]byte, s string) []byte {
	if len(s) > len(buf) {
		return []byte(strings.ToLower(s))
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return b
}
