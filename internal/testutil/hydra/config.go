package hydra

import (
	"fmt"
	"strings"
)

// Config is what varies between runs of the tested Hydra configuration;
// everything else is fixed by configTemplate. Every key is one of Hydra's
// v2.3.0 configuration schema (spec/config.json in the module:
// dsn, serve.{public,admin}.{host,port}, urls.self.issuer, urls.login,
// urls.consent, oidc.dynamic_client_registration.enabled,
// webfinger.oidc_discovery.client_registration_url (else discovery has no
// registration_endpoint),
// log.leak_sensitive_values, tracing.*; the tracing.providers.otlp keys come
// from github.com/ory/x/otelx's config schema).
type Config struct {
	PublicPort, AdminPort int
	// LoginPort serves the login and consent UI Hydra redirects the user to;
	// the driver plays both through the admin API and never requests it.
	LoginPort int
	// OTLPHTTP is host:port of the collector's OTLP/HTTP receiver.
	OTLPHTTP string
}

// DefaultConfig is the configuration a user copies: Hydra's own default
// ports and the collector's default OTLP/HTTP receiver (otelcol-config.yaml).
var DefaultConfig = Config{PublicPort: 4444, AdminPort: 4445, LoginPort: 3000, OTLPHTTP: "localhost:4318"}

// YAML is the configuration file. It holds no secret: Hydra reads the
// system secret from SECRETS_SYSTEM in the environment.
func (c Config) YAML() string {
	r := strings.NewReplacer(
		"{public}", fmt.Sprint(c.PublicPort),
		"{admin}", fmt.Sprint(c.AdminPort),
		"{login}", fmt.Sprint(c.LoginPort),
		"{otlp}", c.OTLPHTTP,
	)
	return r.Replace(configTemplate)
}

const configTemplate = `# Ory Hydra v2.3.0 with its OpenTelemetry traces sent to otelcol-oauth.
# Tested end to end by tests/e2e/hydra_test.go (internal/testutil/hydra
# renders this file on other ports). Run it with
#   SECRETS_SYSTEM=<at least 32 random characters> hydra serve all --dev --config hydra.yaml
# --dev allows the http:// issuer of a local try-out; serve TLS without it
# in production, and put the database where you keep it (dsn).
dsn: memory
serve:
  public:
    host: 127.0.0.1
    port: {public}
  admin:
    host: 127.0.0.1
    port: {admin}
urls:
  self:
    issuer: http://127.0.0.1:{public}/
  # Your login and consent app.
  login: http://127.0.0.1:{login}/login
  consent: http://127.0.0.1:{login}/consent
oidc:
  dynamic_client_registration:
    enabled: true
# Advertised as registration_endpoint in the discovery document.
webfinger:
  oidc_discovery:
    client_registration_url: http://127.0.0.1:{public}/oauth2/register
log:
  leak_sensitive_values: false
# Traces only, over OTLP/HTTP, to the collector's OTLP/HTTP receiver. Hydra
# samples nothing unless sampling_ratio is set.
# Hydra v2.3.0 never flushes its span batcher on shutdown: the spans of
# the last OTEL_BSP_SCHEDULE_DELAY (environment, default 5000 ms) before it
# stops are lost.
tracing:
  provider: otel
  service_name: hydra
  providers:
    otlp:
      server_url: {otlp}
      insecure: true
      sampling:
        sampling_ratio: 1
`
