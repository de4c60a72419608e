package contract

import "strings"

// oauthPrefix is the namespace of the contract's attributes; the keys of
// SecretKeysAnywhere and the SecretParams are secret with or without it.
const oauthPrefix = "oauth."

// IsSecretKey reports whether an attribute key holds a secret by contract
// section 2: a key of SecretKeysAnywhere with or without the "oauth."
// prefix, a key of SecretKeysPrefixedOnly or a server's token identifier
// (TokenIdentifierKeys), compared case-insensitively
// and exactly. It does not allocate.
func IsSecretKey(key string) bool {
	bare, prefixed := cutOAuthPrefix(key)
	for _, k := range SecretKeysAnywhere {
		if strings.EqualFold(key, k) || prefixed && strings.EqualFold(bare, k) {
			return true
		}
	}
	for _, k := range SecretKeysPrefixedOnly {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	for _, k := range TokenIdentifierKeys {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	return false
}

// SecretParamAttr returns the contract attribute ("oauth.<param>") that
// carries the value of name, a parameter or detail key naming a credential:
// a SecretParams name with or without the "oauth." prefix, or
// oauth.dpop.jti, compared case-insensitively. Any other name gives "". It
// does not allocate.
func SecretParamAttr(name string) string {
	bare, prefixed := cutOAuthPrefix(name)
	if prefixed && strings.EqualFold(name, AttrDPoPJTI) {
		return AttrDPoPJTI
	}
	for i, p := range SecretParams {
		if strings.EqualFold(bare, p) {
			return secretParamAttrs[i]
		}
	}
	return ""
}

// secretParamAttrs[i] is the attribute of SecretParams[i], built once so that
// SecretParamAttr returns it without concatenating.
var secretParamAttrs = func() []string {
	out := make([]string, len(SecretParams))
	for i, p := range SecretParams {
		out[i] = oauthPrefix + p
	}
	return out
}()

// cutOAuthPrefix returns key without a leading "oauth." (in any case) and
// whether it had one; the prefix alone is not cut.
func cutOAuthPrefix(key string) (string, bool) {
	if len(key) > len(oauthPrefix) && strings.EqualFold(key[:len(oauthPrefix)], oauthPrefix) {
		return key[len(oauthPrefix):], true
	}
	return key, false
}
