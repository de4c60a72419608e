package oauthredact

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
)

// classify returns how the value under an attribute key is treated: an
// allowed or secret key, a credential header (also as the last dotted
// segment), a key matching secret_key_patterns (cached per scanner), or
// text.
func (sc *scanner) classify(key string) keyKind {
	r := sc.rules
	var buf [64]byte
	if k, ok := r.keys.Get(key); ok {
		return k
	}
	if seg := key[strings.LastIndexByte(key, '.')+1:]; r.names.HeaderFilter.May(seg) {
		if k := keys.HeaderKind(ascii.Lower(&buf, seg)); k != kindText {
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
