package oauthredact

import (
	"encoding/base64"
	"encoding/json"
	"math/bits"
	"net/url"
	"regexp"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// minEchoLen is the shortest secret that is also searched for, verbatim, in
// every other string of the batch (an exception message echoing a token).
// Shorter values would replace ordinary words.
const minEchoLen = 8

// keyKind says how the value under a key is treated.
type keyKind uint8

const (
	kindText      keyKind = iota // searched by the free-text detectors
	kindAllow                    // allow_keys: detectors skip it
	kindSecret                   // the whole value is secret
	kindAuth                     // Authorization: the credential after the scheme
	kindCookie                   // Cookie: every cookie value
	kindSetCookie                // Set-Cookie: the cookie value, not its attributes
)

// rules is the immutable, shared part of the redactor: key sets and token
// formats, built once from the config.
type rules struct {
	keys nameIndex // allow_keys and secret keys
	// secretWords are the secret keys without '.', lower case, without '_'
	// and '-' (accesstoken): found before ':' in free text.
	secretWords map[string]struct{}
	secretKeys  map[string]struct{} // lower case
	params      map[string]struct{} // lower case
	keyPatterns []*regexp.Regexp
	// filters in front of the maps above
	headerFilter, paramFilter nameFilter
	// maxNameLen is the longest parameter or secret key name.
	maxNameLen int
	// minPatternLen is the shortest string the token formats can match.
	minPatternLen int
	patterns      []valuePattern
	// pairs has a bit for the first two bytes of every pattern prefix; the
	// patterns without a prefix of at least two bytes are in loose.
	pairs    [65536 / 64]uint64
	hasPairs bool
	loose    []int
	action   string
	mask     string
	key      string
}

func newRules(cfg *Config) *rules {
	r := &rules{
		secretKeys: map[string]struct{}{},
		params:     map[string]struct{}{},
		action:     cfg.Action,
		mask:       cfg.Mask,
		key:        string(cfg.FingerprintKey),
	}
	for _, k := range contract.SecretKeysAnywhere {
		r.secretKeys[k] = struct{}{}
		r.secretKeys["oauth."+k] = struct{}{}
	}
	for _, k := range contract.SecretKeysPrefixedOnly {
		r.secretKeys[k] = struct{}{}
	}
	for _, k := range cfg.SecretKeys {
		r.secretKeys[strings.ToLower(k)] = struct{}{}
	}
	r.secretWords = map[string]struct{}{}
	keys := map[string]keyKind{} // lower case; an allowed key wins
	for k := range r.secretKeys {
		keys[k] = kindSecret
		if w := strings.NewReplacer("_", "", "-", "").Replace(k); !strings.Contains(w, ".") && len(w) <= 64 {
			r.secretWords[w] = struct{}{}
		}
	}
	for _, k := range cfg.AllowKeys {
		keys[strings.ToLower(k)] = kindAllow
	}
	for k, kind := range keys {
		r.keys.add(k, kind)
	}
	for _, p := range contract.SecretParams {
		r.params[p] = struct{}{}
	}
	for _, p := range cfg.QueryParams {
		r.params[strings.ToLower(p)] = struct{}{}
	}
	for _, p := range cfg.SecretKeyPatterns {
		r.keyPatterns = append(r.keyPatterns, regexp.MustCompile(p)) // validated
	}
	for i, f := range BuiltinTokenFormats {
		p, err := compilePattern(f.Regexp, true)
		if err != nil {
			panic(err) // built-in, covered by tests
		}
		p.match = builtinMatchers[i]
		r.patterns = append(r.patterns, p)
	}
	for _, expr := range cfg.ValuePatterns {
		p, err := compilePattern(expr, false)
		if err == nil { // validated
			r.patterns = append(r.patterns, p)
		}
	}
	for _, h := range headerNames {
		r.headerFilter.add(h)
	}
	for k := range r.params {
		r.paramFilter.add(k)
	}
	for k := range r.secretKeys {
		r.paramFilter.add(k)
		r.maxNameLen = max(r.maxNameLen, len(k))
	}
	for k := range r.params {
		r.maxNameLen = max(r.maxNameLen, len(k))
	}
	r.minPatternLen = 12 // the shortest built-in format (a JWT)
	if len(cfg.ValuePatterns) > 0 {
		r.minPatternLen = 1
	}
	for i, p := range r.patterns {
		if len(p.prefix) < 2 || !p.boundary {
			r.loose = append(r.loose, i)
			continue
		}
		pair := uint16(p.prefix[0]) | uint16(p.prefix[1])<<8
		r.pairs[pair>>6] |= 1 << (pair & 63)
		r.hasPairs = true
	}
	return r
}

// lower returns s in lower case, using buf when s is short (no allocation).
func lower(buf *[64]byte, s string) []byte {
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

// headerKind classifies a header name given in lower case, also as the last
// dotted segment of a key (http.request.header.authorization).
func headerKind(lk []byte) keyKind {
	if i := lastIndexByte(lk, '.'); i >= 0 {
		lk = lk[i+1:]
	}
	switch string(lk) {
	case "authorization", "proxy-authorization", "proxy_authorization":
		return kindAuth
	case "cookie":
		return kindCookie
	case "set-cookie", "set_cookie":
		return kindSetCookie
	}
	return kindText
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// finding is a secret at s[start:end]; secret is the exact value hashed
// (percent- or JSON-decoded where needed).
type finding struct {
	start, end int
	secret     string
	named      bool // found by name (key, parameter, header): searched batch-wide
}

// nameFilter is a 4096-bit set over (length, first byte, last byte) of a
// set of names, case-insensitive: most keys are rejected without hashing
// the whole key for a map lookup.
type nameFilter [64]uint64

func nameBit(s string) uint32 {
	return (uint32(len(s))*131 + uint32(s[0]|0x20)*31 + uint32(s[len(s)-1]|0x20)) & 4095
}

func (f *nameFilter) add(s string) {
	if s != "" {
		b := nameBit(s)
		f[b>>6] |= 1 << (b & 63)
	}
}

func (f *nameFilter) may(s string) bool {
	if s == "" {
		return false
	}
	b := nameBit(s)
	return f[b>>6]&(1<<(b&63)) != 0
}

var headerNames = []string{"authorization", "proxy-authorization", "proxy_authorization", "cookie", "set-cookie", "set_cookie"}

// classify returns how the value under key is treated.
func (sc *scanner) classify(key string) keyKind {
	r := sc.rules
	var buf [64]byte
	if k, ok := r.keys.get(key); ok {
		return k
	}
	if seg := key[strings.LastIndexByte(key, '.')+1:]; r.headerFilter.may(seg) {
		if k := headerKind(lower(&buf, seg)); k != kindText {
			return k
		}
	}
	if len(r.keyPatterns) == 0 {
		return kindText
	}
	if k, ok := sc.keyCache[key]; ok {
		return k
	}
	k := kindText
	for _, re := range r.keyPatterns {
		if re.MatchString(key) {
			k = kindSecret
			break
		}
	}
	if len(sc.keyCache) < 4096 {
		sc.keyCache[strings.Clone(key)] = k
	}
	return k
}

// isParam reports whether name (a URL/form/JSON parameter) is secret.
func (sc *scanner) paramKind(name string) keyKind {
	if len(name) == 0 || len(name) > sc.rules.maxNameLen {
		return kindText
	}
	if !sc.rules.paramFilter.may(name) {
		return kindText
	}
	var buf [64]byte
	lk := lower(&buf, name)
	if _, ok := sc.rules.params[string(lk)]; ok {
		return kindSecret
	}
	if _, ok := sc.rules.secretKeys[string(lk)]; ok {
		return kindSecret
	}
	return kindText
}

// add records a finding unless the value is empty, already a fingerprint or
// the mask. Named findings (under a secret key, parameter or Authorization
// header) are also searched verbatim in the rest of the batch; findings of
// the free-text heuristics and token formats are not, so a false positive
// never spreads.
func (sc *scanner) add(start, end int, secret string, named bool) {
	if start >= end || secret == "" || contract.IsFingerprint(secret) || secret == sc.rules.mask {
		return
	}
	sc.finds = append(sc.finds, finding{start, end, secret, named})
}

// scanValue collects the findings of s, a value of the given kind.
func (sc *scanner) scanValue(s string, kind keyKind) {
	switch kind {
	case kindAllow:
	case kindSecret:
		sc.add(0, len(s), s, true)
	case kindAuth:
		sc.authValue(s, 0, len(s))
	case kindCookie:
		sc.cookieValue(s, 0, len(s), false)
	case kindSetCookie:
		sc.cookieValue(s, 0, len(s), true)
	default:
		sc.scanText(s)
	}
}

// scanText runs the free-text detectors. Each starts with a cheap byte
// search, so a string without '=', ':', ' ' or a token prefix costs a few
// vectorised scans.
func (sc *scanner) scanText(s string) {
	if len(s) < 7 {
		return
	}
	if strings.IndexByte(s, '=') >= 0 {
		sc.scanParams(s)
	}
	if strings.IndexByte(s, '%') >= 0 {
		sc.scanEncodedParams(s)
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		sc.scanHeaderLines(s, i)
		if strings.IndexByte(s, '"') >= 0 {
			sc.scanJSON(s, i, '"')
		}
		if strings.IndexByte(s, '\'') >= 0 {
			sc.scanJSON(s, i, '\'')
		}
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		sc.scanSchemes(s, i)
	}
	sc.scanPatterns(s)
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isTokenByte: the bytes of base64url tokens. A built-in token format only
// starts after another byte (a word boundary).
func isTokenByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_'
}

func isNameByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// nameStart returns where the parameter name ending at i starts: after the
// last byte that cannot be part of a name (j), and, when that byte starts an
// escape that may encode a delimiter (%3F, %253F, \u0026, \n), after the
// escape (esc; j otherwise). Both are candidates: "C:\code=" is a path.
func nameStart(s string, i int) (j, esc int) {
	j = i
	for j > 0 && isNameByte(s[j-1]) {
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
		if k+2 <= i && isHex(s[k]) && isHex(s[k+1]) {
			return k + 2
		}
		if k > j {
			return k // %25 then the name
		}
	case '\\':
		if s[j] == 'u' && j+5 <= i && isHex(s[j+1]) && isHex(s[j+2]) && isHex(s[j+3]) && isHex(s[j+4]) {
			return j + 5
		}
		return j + 1
	}
	return j
}

// paramEnd reports whether c ends a parameter value. Bytes that are not
// ASCII (UTF-8 or not) belong to the value: a raw state may carry them, and
// cutting there would leave the rest of the secret.
func paramEnd(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return true // controls and space
	}
	switch c {
	case '&', '#', ';', ',', ' ', '\t', '\r', '\n', '"', '\'', '<', '>', '\\':
		return true
	}
	return false
}

// scanParams finds name=value pairs of secret parameters: URL queries and
// fragments, form-encoded bodies, logfmt. A value ends at a delimiter; a
// JSON-escaped slash (\/) belongs to it.
func (sc *scanner) scanParams(s string) {
	for i := strings.IndexByte(s, '='); i >= 0; {
		if j, esc := nameStart(s, i); j < i && (sc.paramKind(s[j:i]) == kindSecret || esc != j && esc < i && sc.paramKind(s[esc:i]) == kindSecret) {
			vs, e, slash := i+1, i+1, false
			if e < len(s) && (s[e] == '"' || s[e] == '\'') {
				// quoted (logfmt, keyword arguments): up to the closing quote
				if k := strings.IndexByte(s[e+1:], s[e]); k >= 0 {
					vs, e = e+1, e+1+k
				}
			} else {
				for e < len(s) && !paramEnd(s[e]) || e+1 < len(s) && s[e] == '\\' && s[e+1] == '/' {
					if s[e] == '\\' {
						slash = true
						e++
					}
					e++
				}
			}
			if e > vs {
				raw := s[vs:e]
				if slash {
					raw = strings.ReplaceAll(raw, `\/`, "/")
				}
				sc.add(vs, e, percentDecode(raw), true)
			}
			i = e
		} else if e := sc.headerParam(s, j, i); e > i {
			i = e
		} else {
			i++
		}
		if i >= len(s) {
			return
		}
		k := strings.IndexByte(s[i:], '=')
		if k < 0 {
			return
		}
		i += k
	}
}

// headerParam handles name=value in logfmt text where the name (or its last
// dotted segment) is an Authorization or cookie header:
// cookie="sid=…; theme=…", http.request.header.authorization="Bearer …". The
// value is quoted, or ends at a blank. It returns the end of the value, or i
// when the name is no such header.
func (sc *scanner) headerParam(s string, j, i int) int {
	seg := s[j:i]
	seg = seg[strings.LastIndexByte(seg, '.')+1:]
	if len(seg) > 19 || !sc.rules.headerFilter.may(seg) {
		return i
	}
	var buf [64]byte
	kind := headerKind(lower(&buf, seg))
	if kind == kindText {
		return i
	}
	vs, ve := i+1, i+1
	if vs < len(s) && s[vs] == '"' {
		k := strings.IndexByte(s[vs+1:], '"')
		if k < 0 {
			return i
		}
		vs++
		ve = vs + k
	} else {
		for ve < len(s) && !isBlank(s[ve]) && s[ve] != '\r' && s[ve] != '\n' && s[ve] != '"' {
			ve++
		}
	}
	sc.headerInText(s, vs, ve, kind)
	return ve
}

// headerInText runs the detector of a header kind on a header value found
// in free text (a header line or a logfmt pair).
func (sc *scanner) headerInText(s string, start, end int, kind keyKind) {
	switch kind {
	case kindAuth:
		sc.authLine(s, start, end)
	case kindCookie:
		sc.cookiePairs(s, start, end, false, true)
	case kindSetCookie:
		sc.cookiePairs(s, start, end, true, true)
	}
}

// scanEncodedParams finds secret parameters of a URL that is itself
// percent-encoded inside another (return_to=https%3A%2F%2Fapp%2Fcb%3Fcode%3D…),
// once (%3D) or more (%253D). The secret is the value decoded once per level
// plus once more, as the inner URL's own parameter would be.
func (sc *scanner) scanEncodedParams(s string) {
	for off := 0; off < len(s); {
		k := strings.IndexByte(s[off:], '%')
		if k < 0 {
			return
		}
		p := off + k
		q, level := p+1, 1
		for strings.HasPrefix(s[q:], "25") {
			q += 2
			level++
		}
		off = p + 1
		if q+2 > len(s) || s[q] != '3' || s[q+1]|0x20 != 'd' {
			continue
		}
		vs := q + 2
		off = vs
		j, esc := nameStart(s, p)
		if j >= p || sc.paramKind(s[j:p]) != kindSecret && (esc == j || esc >= p || sc.paramKind(s[esc:p]) != kindSecret) {
			continue
		}
		e := vs
		for e < len(s) && !paramEnd(s[e]) && !encodedDelim(s, e, level) {
			e++
		}
		if e > vs {
			secret := s[vs:e]
			for range level + 1 {
				secret = percentDecode(secret)
			}
			sc.add(vs, e, secret, true)
		}
		off = e
	}
}

// encodedDelim reports whether s[e:] is '&' or '#' percent-encoded at most
// level times (%26, %2526, ...): the end of a value at that level.
func encodedDelim(s string, e, level int) bool {
	if s[e] != '%' {
		return false
	}
	q := e + 1
	for range level {
		if strings.HasPrefix(s[q:], "26") || strings.HasPrefix(s[q:], "23") {
			return true
		}
		if !strings.HasPrefix(s[q:], "25") {
			return false
		}
		q += 2
	}
	return false
}

// percentDecode decodes %XX escapes of a query or form value (the contract
// hashes the percent-decoded value; '+' is kept, as base64 tokens carry it
// unescaped). An invalid escape leaves the value as it is.
func percentDecode(v string) string {
	if strings.IndexByte(v, '%') < 0 {
		return v
	}
	d, err := url.PathUnescape(v)
	if err != nil {
		return v
	}
	return d
}

// scanHeaderLines finds HTTP header lines in free text ("Cookie: sid=...",
// "Set-Cookie: ...", "Authorization: <token>") up to the end of the line.
// An Authorization value with a scheme word is left to scanSchemes; without
// one it must look like a token ("Authorization: required" stays).
func (sc *scanner) scanHeaderLines(s string, i int) {
	for i >= 0 && i < len(s) {
		w := i
		for w > 0 && (isAlnum(s[w-1]) || s[w-1] == '-' || s[w-1] == '_') {
			w--
		}
		if n := i - w; n >= 6 && n <= 19 && (w == 0 || !isAlnum(s[w-1])) {
			var buf [64]byte
			lw := lower(&buf, s[w:i])
			if sc.isSecretWord(lw) {
				i = sc.wordValue(s, i+1)
			} else if kind := headerKind(lw); kind != kindText {
				start := i + 1
				for start < len(s) && isBlank(s[start]) {
					start++
				}
				end := start
				for end < len(s) && s[end] != '\r' && s[end] != '\n' && s[end] != '"' && s[end] != '\\' {
					end++
				}
				sc.headerInText(s, start, end, kind)
				i = end
			}
		}
		if i+1 >= len(s) {
			return
		}
		k := strings.IndexByte(s[i+1:], ':')
		if k < 0 {
			return
		}
		i += 1 + k
	}
}

// isSecretWord reports whether lw, a lower-case word before ':' in free
// text, is a secret key written as YAML or by Go's %+v (access_token:,
// AccessToken:); '_' and '-' are ignored.
func (sc *scanner) isSecretWord(lw []byte) bool {
	var buf [64]byte
	n := 0
	for _, c := range lw {
		if c != '_' && c != '-' {
			buf[n] = c
			n++
		}
	}
	_, ok := sc.rules.secretWords[string(buf[:n])]
	return ok
}

// wordValue adds the value after "secret_key:" in free text (quoted, or a
// run of token bytes) and returns its end.
func (sc *scanner) wordValue(s string, start int) int {
	for start < len(s) && isBlank(s[start]) {
		start++
	}
	if strings.HasPrefix(s[start:], contract.FingerprintPrefix) {
		return start
	}
	if start < len(s) && (s[start] == '"' || s[start] == '\'') {
		k := strings.IndexByte(s[start+1:], s[start])
		if k < 0 {
			return start
		}
		sc.add(start+1, start+1+k, s[start+1:start+1+k], true)
		return start + 1 + k
	}
	e := start
	for e < len(s) && (isToken68(s[e]) || s[e] == '=') {
		e++
	}
	sc.add(start, e, s[start:e], true)
	return e
}

// authLine handles the value of an Authorization header line in free text:
// after a scheme word every credential of 8 bytes or more is secret; without
// one the value must look like a token ("Authorization: required" stays).
func (sc *scanner) authLine(s string, start, end int) {
	e := credentialAt(s, start)
	if e == start || e < end && !isBlank(s[e]) && s[e] != '\r' && s[e] != '\n' {
		return
	}
	if w := s[start:e]; strings.EqualFold(w, "bearer") || strings.EqualFold(w, "dpop") || strings.EqualFold(w, "basic") {
		c := e
		for c < end && isBlank(s[c]) {
			c++
		}
		if ce := credentialAt(s, c); ce-c >= 8 {
			sc.add(c, ce, s[c:ce], true)
		}
		return
	}
	if looksLikeToken(s[start:e]) {
		sc.add(start, e, s[start:e], true)
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// maxJSONDepth is the deepest JSON-in-a-JSON-string nesting searched: at
// depth n, quotes are preceded by 2^n-1 backslashes.
const maxJSONDepth = 4

// scanJSON finds "name": "value" members of JSON text, also JSON escaped
// inside another JSON string (\"name\":\"value\"), at any depth up to
// maxJSONDepth (\\\"name\\\":\\\"value\\\").
//
// With a single quote as quote it reads the same members written as Python
// reprs ({'access_token': '...'}).
func (sc *scanner) scanJSON(s string, i int, quote byte) {
	var noClose [1 << maxJSONDepth]bool // no closing quote with that many backslashes
	for ; i >= 0 && i < len(s); i++ {
		if s[i] != ':' {
			k := strings.IndexByte(s[i:], ':')
			if k < 0 {
				return
			}
			i += k
		}
		j := i - 1
		for j >= 0 && isJSONBlank(s[j]) {
			j--
		}
		if j < 1 || s[j] != quote {
			continue
		}
		n := backslashesBefore(s, j) // the quotes' escape level
		if n >= len(noClose) {
			continue
		}
		escaped := n > 0
		nameEnd := j - n
		from := max(nameEnd-sc.rules.maxNameLen-1, 0) // bounded search: no longer name is secret
		q := strings.LastIndexByte(s[from:nameEnd], quote)
		if q < 0 {
			continue
		}
		q += from
		name := s[q+1 : nameEnd]
		if backslashesBefore(s, q) != n {
			continue
		}
		kind := sc.paramKind(name)
		if kind == kindText {
			var buf [64]byte
			kind = sc.classifyLower(lower(&buf, name))
		}
		if kind == kindText || kind == kindAllow {
			continue
		}
		v := i + 1
		for v < len(s) && isJSONBlank(s[v]) {
			v++
		}
		if !escaped && kind == kindSecret && v < len(s) && s[v] == '[' {
			i = sc.jsonStrings(s, v+1, quote) - 1
			continue
		}
		var vs, ve int
		if escaped {
			vs = v + n + 1
			if vs > len(s) || s[vs-1] != quote || backslashesBefore(s, vs-1) != n || noClose[n] {
				continue
			}
			ve = -1
			for k := vs; k < len(s); k++ {
				q := strings.IndexByte(s[k:], quote)
				if q < 0 {
					break
				}
				k += q
				if backslashesBefore(s, k) == n {
					ve = k - n
					break
				}
			}
			if ve < 0 {
				noClose[n] = true // none for later members of this level either
				continue
			}
			// a quote escaped once more belongs to the value, raw
		} else {
			if v >= len(s) || s[v] != quote {
				continue
			}
			vs = v + 1
			ve = -1
			for k := vs; k < len(s); k++ {
				if s[k] == '\\' {
					k++
					continue
				}
				if s[k] == quote {
					ve = k
					break
				}
			}
			if ve < 0 {
				return // unterminated: no later value can be closed either
			}
		}
		switch kind {
		case kindSecret:
			secret := s[vs:ve]
			if !escaped {
				secret = jsonDecoded(s, vs, ve, quote)
			}
			sc.add(vs, ve, secret, true)
		case kindAuth:
			sc.authValue(s, vs, ve)
		case kindCookie:
			sc.cookieValue(s, vs, ve, false)
		case kindSetCookie:
			sc.cookieValue(s, vs, ve, true)
		}
		i = ve
	}
}

func isJSONBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// jsonDecoded returns the JSON string s[vs:ve] (between quotes) decoded.
func jsonDecoded(s string, vs, ve int, quote byte) string {
	raw := s[vs:ve]
	if quote == '"' && strings.IndexByte(raw, '\\') >= 0 {
		var d string
		if json.Unmarshal([]byte(s[vs-1:ve+1]), &d) == nil {
			return d
		}
	}
	return raw
}

// jsonStrings adds every string of the JSON array starting at s[p] (after
// its '[') as a secret, and returns where the array (or the strings) end.
func (sc *scanner) jsonStrings(s string, p int, quote byte) int {
	for p < len(s) {
		for p < len(s) && (isJSONBlank(s[p]) || s[p] == ',') {
			p++
		}
		if p >= len(s) || s[p] != quote {
			return p
		}
		ve := -1
		for k := p + 1; k < len(s); k++ {
			if s[k] == '\\' {
				k++
				continue
			}
			if s[k] == quote {
				ve = k
				break
			}
		}
		if ve < 0 {
			return len(s)
		}
		sc.add(p+1, ve, jsonDecoded(s, p+1, ve, quote), true)
		p = ve + 1
	}
	return p
}

// backslashesBefore counts the backslashes right before s[i].
func backslashesBefore(s string, i int) int {
	n := 0
	for i-n > 0 && s[i-n-1] == '\\' {
		n++
	}
	return n
}

// classifyLower classifies a lower-case key without key patterns (used for
// names inside text).
func (sc *scanner) classifyLower(lk []byte) keyKind {
	if _, ok := sc.rules.secretKeys[string(lk)]; ok {
		return kindSecret
	}
	return headerKind(lk)
}

// isToken68 reports whether c may appear in an HTTP token68 credential.
func isToken68(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// credentialAt returns the end of a token68 credential starting at i, or i
// when there is none (or when it is an auth-param like realm="x").
func credentialAt(s string, i int) int {
	e := i
	for e < len(s) && isToken68(s[e]) {
		e++
	}
	if e == i {
		return i
	}
	p := e
	for p < len(s) && s[p] == '=' {
		p++
	}
	if p > e && p < len(s) && (isToken68(s[p]) || s[p] == '"') {
		return i // name=value: an auth-param, not a credential
	}
	return p
}

// scanSchemes finds "Bearer <token>", "DPoP <token>" and "Basic <user:pass
// in base64>" in free text.
func (sc *scanner) scanSchemes(s string, i int) {
	for i >= 0 && i < len(s) {
		w := i
		for w > 0 && isAlnum(s[w-1]) {
			w--
		}
		scheme := s[w:i]
		if (w == 0 || !isAlnum(s[w-1])) && (len(scheme) == 4 || len(scheme) == 5 || len(scheme) == 6) {
			bearer := strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "dpop")
			basic := !bearer && strings.EqualFold(scheme, "basic")
			if bearer || basic {
				c := i + 1
				for c < len(s) && isBlank(s[c]) {
					c++
				}
				e := credentialAt(s, c)
				cred := s[c:e]
				var buf [64]byte
				keyNext := e < len(s) && s[e] == ':' && len(cred) <= len(buf) && sc.isSecretWord(lower(&buf, cred)) // "TokenType:Bearer RefreshToken:…"
				if !keyNext && (bearer && looksLikeToken(cred) || basic && sc.looksLikeBasic(cred)) {
					sc.add(c, e, cred, false)
					i = e
				}
			}
		}
		if i+1 >= len(s) {
			return
		}
		k := strings.IndexByte(s[i+1:], ' ')
		if k < 0 {
			return
		}
		i += 1 + k
	}
}

// looksLikeToken tells a bearer credential from an ordinary word: at least
// 8 bytes, starting with a base64url byte, and not only lower-case letters
// ("Bearer authentication", "Bearer /api/users").
func looksLikeToken(c string) bool {
	if len(c) < 8 || !isTokenByte(c[0]) {
		return false
	}
	for i := 0; i < len(c); i++ {
		if b := c[i]; b < 'a' || b > 'z' {
			return true
		}
	}
	return false
}

// looksLikeBasic reports whether c is base64 of "user:password".
func (sc *scanner) looksLikeBasic(c string) bool {
	if len(c) < 4 || len(c) > 4096 {
		return false
	}
	enc := base64.StdEncoding
	if len(c)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	n := enc.DecodedLen(len(c))
	if cap(sc.tmp) < n {
		sc.tmp = make([]byte, n)
	}
	m, err := enc.Decode(sc.tmp[:n], []byte(c))
	if err != nil {
		return false
	}
	for _, b := range sc.tmp[:m] {
		if b == ':' {
			return true
		}
	}
	return false
}

// authValue handles the value of an Authorization header at s[start:end]:
// the credential after the scheme word, or the whole value without one.
func (sc *scanner) authValue(s string, start, end int) {
	for start < end && isBlank(s[start]) {
		start++
	}
	for end > start && isBlank(s[end-1]) {
		end--
	}
	if start >= end {
		return
	}
	v := s[start:end]
	if sp := strings.IndexAny(v, " \t"); sp > 0 {
		word := true
		for i := 0; i < sp; i++ {
			if !isAlnum(v[i]) && v[i] != '-' && v[i] != '_' {
				word = false
				break
			}
		}
		if word {
			c := start + sp
			for c < end && isBlank(s[c]) {
				c++
			}
			sc.add(c, end, s[c:end], true)
			return
		}
	}
	sc.add(start, end, v, true)
}

// cookieValue handles a Cookie (every value) or Set-Cookie (the first
// name=value only) header value at s[start:end].
func (sc *scanner) cookieValue(s string, start, end int, set bool) {
	sc.cookiePairs(s, start, end, set, false)
}

// cookiePairs is cookieValue; with needEq, a part without '=' is not a
// cookie (free text: "cookie: disabled"). Several Set-Cookie values folded
// into one string ("a=1; Path=/, b=2") are each handled.
func (sc *scanner) cookiePairs(s string, start, end int, set, needEq bool) {
	for start < end {
		if set {
			next := foldedCookie(s, start, end)
			sc.cookiePair(s, start, next, needEq)
			start = next + 1
			continue
		}
		start = sc.cookiePair(s, start, end, needEq) + 1
	}
}

// cookiePair adds the value of the first name=value of s[start:end] and
// returns where that pair ends (its ';', or end).
func (sc *scanner) cookiePair(s string, start, end int, needEq bool) int {
	pe := end
	if semi := strings.IndexByte(s[start:end], ';'); semi >= 0 {
		pe = start + semi
	}
	ps := start
	for ps < pe && s[ps] == ' ' {
		ps++
	}
	vs := ps
	if eq := strings.IndexByte(s[ps:pe], '='); eq >= 0 {
		vs = ps + eq + 1
	} else if needEq {
		vs = pe
	}
	ve := pe
	for ve > vs && s[ve-1] == ' ' {
		ve--
	}
	if ve-vs >= 2 && s[vs] == '"' && s[ve-1] == '"' {
		vs++
		ve--
	}
	sc.add(vs, ve, s[vs:ve], looksLikeSessionID(s[vs:ve]))
	return pe
}

// looksLikeSessionID reports whether a cookie value is worth searching for
// in the rest of the batch: long enough, with letters and digits (not a
// word, a number or a flag).
func looksLikeSessionID(v string) bool {
	if len(v) < minEchoLen {
		return false
	}
	letter, digit := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		letter = letter || 'a' <= c|0x20 && c|0x20 <= 'z'
		digit = digit || '0' <= c && c <= '9'
	}
	return letter && digit
}

// foldedCookie returns the ',' in s[start:end] that starts another cookie
// (", name="; not the comma of "Expires=Wed, 21 Oct ..."), or end.
func foldedCookie(s string, start, end int) int {
	for c := start; c < end; c++ {
		k := strings.IndexByte(s[c:end], ',')
		if k < 0 {
			break
		}
		c += k
		j := c + 1
		for j < end && s[j] == ' ' {
			j++
		}
		n := j
		for n < end && isNameByte(s[n]) {
			n++
		}
		if n > j && n < end && s[n] == '=' {
			return c
		}
	}
	return end
}

// scanPatterns runs the token formats. One pass over s checks each pair of
// bytes against the first two bytes of every prefix; the anchored regexp of
// a pattern only runs where its whole prefix occurs.
func (sc *scanner) scanPatterns(s string) {
	r := sc.rules
	if len(s) < r.minPatternLen {
		return
	}
	for _, pi := range r.loose {
		sc.scanPattern(s, &r.patterns[pi])
	}
	if !r.hasPairs {
		return
	}
	for i := 0; i+1 < len(s); i++ {
		pair := uint16(s[i]) | uint16(s[i+1])<<8
		if r.pairs[pair>>6]&(1<<(pair&63)) == 0 {
			continue
		}
		for pi := range r.patterns {
			p := &r.patterns[pi]
			if !p.boundary || len(p.prefix) < 2 || !strings.HasPrefix(s[i:], p.prefix) {
				continue
			}
			if i > 0 && isTokenByte(s[i-1]) || insideFingerprint(s, i) {
				continue
			}
			end := sc.matchAt(s, i, p)
			if end < 0 {
				continue
			}
			i = end - 1
			break
		}
	}
}

// scanPattern runs one pattern over s: a user pattern (or one without a
// literal prefix) in a single unanchored pass once its prefix is present, a
// built-in one anchored at each of its prefix occurrences.
func (sc *scanner) scanPattern(s string, p *valuePattern) {
	if p.prefix != "" && !strings.Contains(s, p.prefix) {
		return
	}
	if !p.boundary || p.prefix == "" {
		// one unanchored, linear-time pass (user patterns)
		for _, m := range p.re.FindAllStringSubmatchIndex(s, -1) {
			sc.addMatch(s, m, 0, p)
		}
		return
	}
	for off := 0; off < len(s); {
		k := strings.Index(s[off:], p.prefix)
		if k < 0 {
			break
		}
		at := off + k
		off = at + 1
		if at > 0 && isTokenByte(s[at-1]) || insideFingerprint(s, at) {
			continue
		}
		if end := sc.matchAt(s, at, p); end >= 0 {
			off = end
		}
	}
}

// matchAt runs a prefixed pattern anchored at s[at:], records a match and
// returns where it ends, or -1.
func (sc *scanner) matchAt(s string, at int, p *valuePattern) int {
	if p.match != nil {
		n := p.match(s[at:])
		if n < 0 {
			return -1
		}
		sc.addSpan(s, at, at+n, p)
		return at + n
	}
	m := p.anchored.FindStringSubmatchIndex(s[at:])
	if m == nil {
		return -1
	}
	sc.addMatch(s, m, at, p)
	return at + m[1]
}

func (sc *scanner) addMatch(s string, m []int, at int, p *valuePattern) {
	start, end := m[0], m[1]
	if p.group && len(m) >= 4 && m[2] >= 0 {
		start, end = m[2], m[3]
	}
	sc.addSpan(s, start+at, end+at, p)
}

func (sc *scanner) addSpan(s string, start, end int, p *valuePattern) {
	if !p.boundary && insideFingerprint(s, start) {
		return
	}
	sc.add(start, end, s[start:end], false)
}

// insideFingerprint reports whether position i lies in an "fp:" fingerprint
// (so a second run never rewrites part of a fingerprint).
func insideFingerprint(s string, i int) bool {
	j := i
	// a fingerprint has 22 base64url bytes after "fp:": look no further back
	for j > 0 && i-j <= 22 && isTokenByte(s[j-1]) {
		j--
	}
	return j >= 3 && s[j-3:j] == contract.FingerprintPrefix
}

// echoIndex finds the batch's known secrets in a string. Every secret is at
// least minLen long, so an occurrence covers minLen-7 consecutive 8-byte
// windows, and checking every step-th window of the string (step <=
// minLen-7) lands in each occurrence within its first step windows. The
// sampled windows are checked against a Bloom filter of the first step
// windows of every secret ("grams"); only where one passes are the
// positions that could start a secret checked, each with an 8-byte load
// against a second Bloom filter and a map over the secrets' first 8 bytes.
// With secrets of 15 bytes or more a string costs one filter check per 8
// bytes instead of one per byte.
type echoIndex struct {
	bloom [256]uint64      // 16384 bits over the first 8 bytes
	first map[uint64]int32 // first 8 bytes -> index of a secret in list
	next  []int32          // next secret with the same first 8 bytes, or -1
	list  []string         // the secrets (len >= minEchoLen)
	grams []uint64         // Bloom filter over each secret's first step windows
	shift uint             // 64 - log2(bits of grams)
	step  int
}

// maxEchoStep bounds the sampling step of the echo search.
const maxEchoStep = 8

// maxEchoChain bounds how many secrets sharing their first 8 bytes are
// compared at one position.
const maxEchoChain = 16

func (e *echoIndex) chain(j int32) int {
	n := 0
	for ; j >= 0; j = e.next[j] {
		n++
	}
	return n
}

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

func bloomBit(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> 50 }

func (e *echoIndex) gramBit(w uint64) uint64 { return (w * 0xC2B2AE3D27D4EB4F) >> e.shift }

func (e *echoIndex) mayHaveGram(w uint64) bool {
	b := e.gramBit(w)
	return e.grams[b>>6]&(1<<(b&63)) != 0
}

// build indexes list (the secrets found in the first pass), none shorter
// than minLen (>= minEchoLen).
func (e *echoIndex) build(list []string, minLen int) {
	e.bloom = [256]uint64{}
	if e.first == nil {
		e.first = map[uint64]int32{}
	}
	clear(e.first)
	e.next = e.next[:0]
	e.list = list
	for i, k := range list {
		w := load64(k, 0)
		h := bloomBit(w)
		e.bloom[h>>6] |= 1 << (h & 63)
		j, ok := e.first[w]
		if !ok {
			j = -1
		} else if e.chain(j) >= maxEchoChain {
			// Many secrets share these 8 bytes (crafted input): keep the
			// search linear; the extra ones are still replaced where found
			// by name.
			e.next = append(e.next, -2)
			continue
		}
		e.next = append(e.next, j)
		e.first[w] = int32(i)
	}
	// Sampling every step-th window of the strings, with step up to
	// minLen-7, finds every echo; a step of at most 8 keeps the filter (8
	// leading windows per secret, about 16 bits each) small enough to build
	// and clear per batch and to stay in the L1 cache.
	e.step = min(minLen-7, maxEchoStep)
	nbits := 4096
	for nbits < 16*e.step*len(list) && nbits < 1<<20 {
		nbits <<= 1
	}
	if cap(e.grams) >= nbits/64 {
		e.grams = e.grams[:nbits/64]
		clear(e.grams)
	} else {
		e.grams = make([]uint64, nbits/64)
	}
	e.shift = uint(64 - bits.TrailingZeros(uint(nbits)))
	for _, k := range list {
		for o := 0; o < e.step; o++ {
			b := e.gramBit(load64(k, o))
			e.grams[b>>6] |= 1 << (b & 63)
		}
	}
}

// forget drops the batch's secrets, and the first 8 bytes of each that the
// index keys by.
func (e *echoIndex) forget() {
	e.list = nil
	clear(e.first)
}

// scanKnown finds, verbatim, the secrets already found in this batch:
// leftmost first, then after the end of each match.
func (sc *scanner) scanKnown(s string) {
	if len(s) < sc.minKnown {
		return
	}
	e := &sc.echo
	next := 0 // matches before next were already taken
	for p := e.step - 1; p+8 <= len(s); p += e.step {
		if !e.mayHaveGram(load64(s, p)) {
			continue
		}
		// positions whose secret would cover the window at p
		for i := max(next, p-e.step+1); i <= p; i++ {
			if n := sc.knownAt(s, i); n > 0 {
				next = i + n
				i = next - 1
			}
		}
	}
}

// knownAt records a known secret starting at s[i:] and returns its length,
// or 0.
func (sc *scanner) knownAt(s string, i int) int {
	e := &sc.echo
	if i+8 > len(s) {
		return 0
	}
	w := load64(s, i)
	h := bloomBit(w)
	if e.bloom[h>>6]&(1<<(h&63)) == 0 {
		return 0
	}
	j, ok := e.first[w]
	if !ok {
		return 0
	}
	for ; j >= 0; j = e.next[j] {
		if k := e.list[j]; strings.HasPrefix(s[i:], k) && !cutsWord(s, i, i+len(k)) {
			sc.finds = append(sc.finds, finding{i, i + len(k), k, false})
			return len(k)
		}
	}
	return 0
}

// cutsWord reports whether s[start:end] begins or ends inside a word
// (letters, digits, '-' and '_', as in an Authorization scheme). Such a match
// is part of a longer word, not an echo of the secret; replacing it would
// break that word so that a second redaction pass reads it differently.
func cutsWord(s string, start, end int) bool {
	return start > 0 && isWordByte(s[start-1]) && isWordByte(s[start]) ||
		end < len(s) && isWordByte(s[end]) && isWordByte(s[end-1])
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// apply rewrites s with the collected findings (earliest first, overlaps
// dropped) and reports whether it changed. Findings are consumed.
func (sc *scanner) apply(s string) (string, int) {
	f := sc.finds
	if len(f) == 0 {
		return s, 0
	}
	if len(f) == 1 && f[0].start == 0 && f[0].end == len(s) {
		// the whole value (a secret key's): its replacement as is
		sc.finds = sc.finds[:0]
		return sc.replacement(f[0].secret, f[0].named), 1
	}
	// insertion sort by start, longest first on ties: the lists are tiny.
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && (f[j].start < f[j-1].start || f[j].start == f[j-1].start && f[j].end > f[j-1].end); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
	out := sc.out[:0]
	last, n := 0, 0
	for _, x := range f {
		if x.start < last {
			continue
		}
		out = append(out, s[last:x.start]...)
		out = append(out, sc.replacement(x.secret, x.named)...)
		last = x.end
		n++
	}
	out = append(out, s[last:]...)
	sc.out = out
	sc.finds = sc.finds[:0]
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
	if named && !k.listed && len(secret) >= minEchoLen && !sc.echoing {
		k.listed = true
		sc.knownList = append(sc.knownList, secret)
		if sc.minKnown == 0 || len(secret) < sc.minKnown {
			sc.minKnown = len(secret)
		}
	}
	return k.rep
}
