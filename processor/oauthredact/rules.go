package oauthredact

import (
	"regexp"
	"strings"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/keys"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact/internal/tokenformat"
)

// keyKind says how the value under a key is treated (keys.Kind, named here
// as the walk uses it).
type keyKind = keys.Kind

const (
	kindText      = keys.Text      // searched by the free-text detectors
	kindAllow     = keys.Allow     // allow_keys: detectors skip it
	kindSecret    = keys.Secret    // the whole value is secret
	kindAuth      = keys.Auth      // Authorization: the credential after the scheme
	kindCookie    = keys.Cookie    // Cookie: every cookie value
	kindSetCookie = keys.SetCookie // Set-Cookie: the cookie value, not its attributes
)

// rules is the immutable, shared part of the redactor: key sets and token
// formats, built once from the config.
type rules struct {
	keys        keys.Index // allow_keys and secret keys
	names       *keys.Set  // the names the text detectors look for
	keyPatterns []*regexp.Regexp
	formats     *tokenformat.Set
	action      string
	mask        string
	key         string
	// previous are the keys of earlier rotations (oauth_fingerprint's
	// previous_keys): with any, the correlated secrets of a record also get
	// their previous-key fingerprints (previous.go).
	previous []string
}

func newRules(cfg *Config) *rules {
	r := &rules{
		names:   keys.NewSet(cfg.SecretKeys, cfg.QueryParams),
		formats: tokenformat.NewSet(cfg.ValuePatterns),
		action:  cfg.Action,
		mask:    cfg.Mask,
		key:     string(cfg.FingerprintKey),
	}
	kinds := map[string]keyKind{} // lower case; an allowed key wins
	r.names.SecretKeys(func(k string) { kinds[k] = kindSecret })
	for _, k := range cfg.AllowKeys {
		kinds[strings.ToLower(k)] = kindAllow
	}
	for k, kind := range kinds {
		r.keys.Add(k, kind)
	}
	for _, p := range cfg.SecretKeyPatterns {
		r.keyPatterns = append(r.keyPatterns, regexp.MustCompile(p)) // validated
	}
	return r
}
