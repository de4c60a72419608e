package keys

import (
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/ascii"
)

// Set holds the names the text detectors look for: secret keys (the
// contract's and secret_keys), secret parameters (the contract's and
// query_params) and the header names.
type Set struct {
	// secretWords are the secret keys without '.', lower case, without '_'
	// and '-' (accesstoken): found before ':' in free text.
	secretWords map[string]struct{}
	secretKeys  map[string]struct{} // lower case
	params      map[string]struct{} // lower case
	// filters in front of the maps above
	HeaderFilter, paramFilter Filter
	// MaxNameLen is the longest parameter or secret key name.
	MaxNameLen int
}

// NewSet builds the set from the extra secret keys and parameters of the
// config, on top of the contract's.
func NewSet(extraKeys, extraParams []string) *Set {
	s := &Set{
		secretKeys:  map[string]struct{}{},
		params:      map[string]struct{}{},
		secretWords: map[string]struct{}{},
	}
	for _, k := range contract.SecretKeysAnywhere {
		s.secretKeys[k] = struct{}{}
		s.secretKeys["oauth."+k] = struct{}{}
	}
	for _, k := range contract.SecretKeysPrefixedOnly {
		s.secretKeys[k] = struct{}{}
	}
	for _, k := range contract.TokenIdentifierKeys {
		s.secretKeys[strings.ToLower(k)] = struct{}{}
	}
	for _, k := range extraKeys {
		s.secretKeys[strings.ToLower(k)] = struct{}{}
	}
	for k := range s.secretKeys {
		if w := strings.NewReplacer("_", "", "-", "").Replace(k); !strings.Contains(w, ".") && len(w) <= 64 {
			s.secretWords[w] = struct{}{}
		}
	}
	for _, p := range contract.SecretParams {
		s.params[p] = struct{}{}
	}
	for _, p := range extraParams {
		s.params[strings.ToLower(p)] = struct{}{}
	}
	AddHeaders(&s.HeaderFilter)
	for k := range s.params {
		s.paramFilter.Add(k)
		s.MaxNameLen = max(s.MaxNameLen, len(k))
	}
	for k := range s.secretKeys {
		s.paramFilter.Add(k)
		s.MaxNameLen = max(s.MaxNameLen, len(k))
	}
	return s
}

// SecretKeys calls f with every secret key, in lower case.
func (s *Set) SecretKeys(f func(string)) {
	for k := range s.secretKeys {
		f(k)
	}
}

// ParamKind reports whether name (a URL/form/JSON parameter) is secret:
// Secret or Text.
func (s *Set) ParamKind(name string) Kind {
	if len(name) == 0 || len(name) > s.MaxNameLen {
		return Text
	}
	if !s.paramFilter.May(name) {
		return Text
	}
	var buf [64]byte
	lk := ascii.Lower(&buf, name)
	if _, ok := s.params[string(lk)]; ok {
		return Secret
	}
	if _, ok := s.secretKeys[string(lk)]; ok {
		return Secret
	}
	return Text
}

// ClassifyLower classifies a lower-case key without key patterns (used for
// names inside text).
func (s *Set) ClassifyLower(lk []byte) Kind {
	if _, ok := s.secretKeys[string(lk)]; ok {
		return Secret
	}
	return HeaderKind(lk)
}

// IsSecretWord reports whether lw, a lower-case word before ':' in free
// text, is a secret key written as YAML or by Go's %+v (access_token:,
// AccessToken:); '_' and '-' are ignored.
func (s *Set) IsSecretWord(lw []byte) bool {
	var buf [64]byte
	n := 0
	for _, c := range lw {
		if c != '_' && c != '-' {
			buf[n] = c
			n++
		}
	}
	_, ok := s.secretWords[string(buf[:n])]
	return ok
}
