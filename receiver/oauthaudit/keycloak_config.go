package oauthaudit

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"
)

// keycloakEventType is the shape of an EventType.java name (LOGIN,
// CODE_TO_TOKEN_ERROR, ...): Keycloak answers an unknown one with an error.
var keycloakEventType = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// validateKeycloak checks what the Keycloak events source needs: a pull of
// one realm, no push (Keycloak has no event webhook), the admin token from
// an auth extension (client credentials) rather than AuthPlane's settings.
func (c *Config) validateKeycloak() []error {
	var errs []error
	if c.Push.HasValue() {
		errs = append(errs, errors.New("push: source keycloak is pull only (the admin events API)"))
	}
	p := c.Pull.Get()
	if p == nil {
		return append(errs, errors.New("pull: source keycloak needs the pull section"))
	}
	if !validRealmName(p.Realm) {
		errs = append(errs, fmt.Errorf("pull.realm: must name the realm whose events are read (no '/', '?', '#'), got %q", p.Realm))
	}
	for _, t := range p.EventTypes {
		if !keycloakEventType.MatchString(t) {
			errs = append(errs, fmt.Errorf("pull.event_types: %q is not a Keycloak event type (LOGIN, CODE_TO_TOKEN, ...)", t))
		}
	}
	if p.BearerToken != "" {
		errs = append(errs, errors.New("pull.bearer_token: not used by source keycloak (admin tokens live minutes); set pull.auth: {authenticator: oauth2client} (client credentials)"))
	} else if !p.Auth.HasValue() && !hasAuthorizationHeader(p.Headers) {
		errs = append(errs, errors.New("pull.auth: source keycloak needs the admin token: set pull.auth: {authenticator: oauth2client} (client credentials of a client whose service account holds realm-management view-events)"))
	}
	return append(errs, authPlaneFilters(p, SourceKeycloak, " (see pull.event_types)")...)
}

// hasAuthorizationHeader reports whether headers set Authorization (any
// case: HTTP header names are case-insensitive).
func hasAuthorizationHeader(headers configopaque.MapList) bool {
	for name := range headers.Iter {
		if strings.EqualFold(name, "Authorization") {
			return true
		}
	}
	return false
}
