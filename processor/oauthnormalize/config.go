package oauthnormalize

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab/generichttp"
)

// Config configures the oauth_normalize processor: which vocabularies map
// records onto the contract. All are on by default.
type Config struct {
	Vocabularies Vocabularies `mapstructure:"vocabularies"`
	// Join holds the spans of a claimed trace until its request root
	// arrives (config_join.go).
	Join Join `mapstructure:"join"`

	_ struct{}
}

// Vocabularies switches each vocabulary on or off (contract section 6).
type Vocabularies struct {
	// Pino: pluggedin-style SECURITY_EVENT and OAUTH_EVENT log lines.
	Pino Toggle `mapstructure:"pino"`
	// AuthPlaneAudit: records of the oauth_audit receiver.
	AuthPlaneAudit Toggle `mapstructure:"authplane_audit"`
	// AuthPlaneSpans: AuthPlane's service-layer spans, mapped onto the
	// request's root SERVER span.
	AuthPlaneSpans AuthPlane `mapstructure:"authplane_spans"`
	// AuthPlaneSlog: AuthPlane's slog JSON lines ("token issued").
	AuthPlaneSlog AuthPlane `mapstructure:"authplane_slog"`
	// GenericHTTP: HTTP server spans of any authorization server.
	GenericHTTP GenericHTTP `mapstructure:"generic_http"`
	// Keycloak: Keycloak's span events, mapped onto the request's root
	// SERVER span.
	Keycloak KeycloakSpans `mapstructure:"keycloak"`
	// Hydra: Ory Hydra's spans and span events (config_hydra.go).
	Hydra HydraSpans `mapstructure:"hydra"`

	_ struct{}
}

// Toggle switches a vocabulary that has no other setting.
type Toggle struct {
	Enabled bool `mapstructure:"enabled"`

	_ struct{}
}

// AuthPlane configures an AuthPlane vocabulary.
type AuthPlane struct {
	Enabled bool `mapstructure:"enabled"`
	// Provider is the oauth.provider written on the records it maps
	// (default authplane; empty writes none).
	Provider string `mapstructure:"provider"`

	_ struct{}
}

// GenericHTTP configures the generic HTTP vocabulary.
type GenericHTTP struct {
	Enabled bool `mapstructure:"enabled"`
	// Endpoints are paths claimed on any service (default: unambiguous
	// OAuth paths such as /oauth2/token, /protocol/openid-connect/token).
	Endpoints generichttp.Paths `mapstructure:"endpoints"`
	// ServerEndpoints are paths claimed only on a service that is evidently
	// an authorization server (default: /token, /authorize, /revoke, ...).
	ServerEndpoints generichttp.Paths `mapstructure:"server_endpoints"`
	// AuthorizationServers are service.name values to treat as
	// authorization servers without waiting for a discovery document.
	AuthorizationServers []string `mapstructure:"authorization_servers"`
	// MaxRememberedServers bounds how many services that served an
	// authorization server's discovery document are remembered (LRU).
	MaxRememberedServers int `mapstructure:"max_remembered_servers"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; each error names its field.
func (c *Config) Validate() error {
	g := &c.Vocabularies.GenericHTTP
	var errs []error
	if g.MaxRememberedServers < 1 {
		errs = append(errs, fmt.Errorf("vocabularies.generic_http.max_remembered_servers: must be at least 1, got %d", g.MaxRememberedServers))
	}
	for i, s := range g.AuthorizationServers {
		if strings.TrimSpace(s) == "" {
			errs = append(errs, fmt.Errorf("vocabularies.generic_http.authorization_servers[%d]: must not be empty", i))
		}
	}
	seen := map[string]string{}
	errs = append(errs, checkPaths("vocabularies.generic_http.endpoints", &g.Endpoints, seen)...)
	errs = append(errs, checkPaths("vocabularies.generic_http.server_endpoints", &g.ServerEndpoints, seen)...)
	errs = append(errs, c.Join.validate())
	return errors.Join(errs...)
}

// checkPaths refuses a path that is empty, relative, has a query or a
// well-known document (discovery is recognised by itself), or is listed
// twice (seen holds the field that named each path first).
func checkPaths(field string, p *generichttp.Paths, seen map[string]string) []error {
	var errs []error
	for _, op := range p.ByOperation() {
		for i, path := range op.Paths {
			name := fmt.Sprintf("%s.%s[%d]", field, op.Operation, i)
			switch {
			case !strings.HasPrefix(path, "/") || len(path) < 2:
				errs = append(errs, fmt.Errorf("%s: %q must be an absolute path such as /oauth2/token", name, path))
			case strings.ContainsAny(path, "?# "):
				errs = append(errs, fmt.Errorf("%s: %q must be a path without query, fragment or spaces", name, path))
			case strings.Contains(path, "/.well-known/"):
				errs = append(errs, fmt.Errorf("%s: %q: discovery documents are recognised without configuration", name, path))
			case seen[path] != "":
				errs = append(errs, fmt.Errorf("%s: %q is already listed as %s", name, path, seen[path]))
			default:
				seen[path] = name
			}
		}
	}
	return errs
}
