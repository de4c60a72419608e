package oauthaudit

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
)

// Defaults.
const (
	defaultPollInterval     = 10 * time.Second
	defaultLimit            = 100
	defaultMaxEventsPerPoll = 10000
	defaultBackoffInitial   = time.Second
	defaultBackoffMax       = 5 * time.Minute
	defaultPushEndpoint     = "localhost:4320"
	defaultPushPath         = "/v1/audit"
	defaultMaxBodyBytes     = 5 << 20
	defaultSignatureHeader  = "X-Signature-256"
	defaultReplayWindow     = 5 * time.Minute
	defaultRetryAfter       = 5 * time.Second
)

// Config configures the oauth_audit receiver: a pull section, a push section,
// or both. A section that appears in the configuration (even empty) is
// enabled and starts from the defaults; `enabled: false` switches it off.
type Config struct {
	// Source is the audit API pull speaks and push accepts: authplane (the
	// default when empty), okta (pull only: the System Log API), auth0 or
	// keycloak (pull only: the admin events API).
	Source string                              `mapstructure:"source"`
	Pull   configoptional.Optional[PullConfig] `mapstructure:"pull"`
	Push   configoptional.Optional[PushConfig] `mapstructure:"push"`
	// Storage is the id of a storage extension (for example file_storage)
	// that keeps the pull cursor across restarts. Without it the cursor lives
	// in memory and a restart starts again from start_at / initial_lookback.
	Storage *component.ID `mapstructure:"storage"`

	_ struct{}
}

// PullConfig polls an AuthPlane-compatible GET {endpoint}/admin/audit.
type PullConfig struct {
	// ClientConfig: endpoint (the server's base URL, without /admin/audit),
	// TLS, timeout, proxy_url, headers, auth extension...
	confighttp.ClientConfig `mapstructure:",squash"`
	// BearerToken is sent as "Authorization: Bearer <token>".
	BearerToken configopaque.String `mapstructure:"bearer_token"`
	// PollInterval is the pause between two polls once caught up.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// Limit is the page size (query parameter limit).
	Limit int `mapstructure:"limit"`
	// Filters sent as query parameters when not empty.
	Action   string `mapstructure:"action"`
	ActorID  string `mapstructure:"actor_id"`
	ClientID string `mapstructure:"client_id"`
	// Where the first poll starts when no cursor is stored: StartAt when
	// set, else now minus InitialLookback (default 0: only new events).
	StartAt         time.Time     `mapstructure:"start_at"`
	InitialLookback time.Duration `mapstructure:"initial_lookback"`
	// StartLogID (source auth0) is the log_id a first start continues
	// after; empty: the newest limit logs, then onwards.
	StartLogID string `mapstructure:"start_log_id"`
	// Realm (source keycloak) is the realm whose events are read.
	Realm string `mapstructure:"realm"`
	// EventTypes (source keycloak) asks only for these event types (the
	// type query parameter); empty: every type.
	EventTypes []string `mapstructure:"event_types"`
	// MaxEventsPerPoll bounds the events one poll holds in memory: a
	// window with more is halved (0: no bound).
	MaxEventsPerPoll int `mapstructure:"max_events_per_poll"`
	// Backoff after a failed poll: exponential from InitialInterval to
	// MaxInterval with jitter; a Retry-After answer is honoured on top.
	Backoff BackoffConfig `mapstructure:"backoff"`

	_ struct{}
}

// BackoffConfig bounds the delay between retries of a failed poll.
type BackoffConfig struct {
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	MaxInterval     time.Duration `mapstructure:"max_interval"`
}

// PushConfig serves an HTTP endpoint that accepts audit events.
type PushConfig struct {
	// ServerConfig: endpoint (default localhost:4320), TLS, auth (a
	// collector auth extension such as bearertokenauth),
	// max_request_body_size (default 5 MiB), timeouts...
	confighttp.ServerConfig `mapstructure:",squash"`
	// Path events are POSTed to.
	Path string `mapstructure:"path"`
	// HMAC, when its secret is set, requires a signature of every body.
	HMAC HMACConfig `mapstructure:"hmac"`
	// RetryAfter is sent with 503 when the pipeline refuses a batch.
	RetryAfter time.Duration `mapstructure:"retry_after"`
	// Authorization, when set, is the exact Authorization header value a
	// request must carry (an Auth0 log stream's "Authorization Token"),
	// compared in constant time.
	Authorization configopaque.String `mapstructure:"authorization"`

	_ struct{}
}

// HMACConfig verifies an HMAC-SHA256 signature of the raw body.
type HMACConfig struct {
	// Secret is the shared key; empty disables signature checks.
	Secret configopaque.String `mapstructure:"secret"`
	// SignatureHeader carries "sha256=<hex>".
	SignatureHeader string `mapstructure:"signature_header"`
	// TimestampHeader, when set, names a required header with the send time
	// in Unix seconds. The signature then covers "<timestamp>.<body>" and a
	// timestamp further than ReplayWindow from now is refused.
	TimestampHeader string        `mapstructure:"timestamp_header"`
	ReplayWindow    time.Duration `mapstructure:"replay_window"`
}

func defaultPullConfig() PullConfig {
	return PullConfig{
		ClientConfig: func() confighttp.ClientConfig {
			c := confighttp.NewDefaultClientConfig()
			c.Timeout = 30 * time.Second
			return c
		}(),
		PollInterval:     defaultPollInterval,
		Limit:            defaultLimit,
		MaxEventsPerPoll: defaultMaxEventsPerPoll,
		Backoff:          BackoffConfig{InitialInterval: defaultBackoffInitial, MaxInterval: defaultBackoffMax},
	}
}

func defaultPushConfig() PushConfig {
	s := confighttp.NewDefaultServerConfig()
	s.NetAddr.Endpoint = defaultPushEndpoint
	s.MaxRequestBodySize = defaultMaxBodyBytes
	return PushConfig{
		ServerConfig: s,
		Path:         defaultPushPath,
		HMAC:         HMACConfig{SignatureHeader: defaultSignatureHeader, ReplayWindow: defaultReplayWindow},
		RetryAfter:   defaultRetryAfter,
	}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; errors name the field and never
// contain a secret.
func (c *Config) Validate() error {
	if !c.Pull.HasValue() && !c.Push.HasValue() {
		return errors.New("configure pull, push, or both")
	}
	var errs []error
	switch c.Source {
	case "", SourceAuthPlane:
	case SourceOkta:
		errs = append(errs, c.validateOkta()...)
	case SourceAuth0:
		errs = append(errs, c.validateAuth0()...)
	case SourceKeycloak:
		errs = append(errs, c.validateKeycloak()...)
	default:
		errs = append(errs, fmt.Errorf("source: must be %s, %s, %s or %s, got %q", SourceAuthPlane, SourceOkta, SourceAuth0, SourceKeycloak, c.Source))
	}
	if p := c.Pull.Get(); p != nil && (p.Realm != "" || len(p.EventTypes) > 0) && c.Source != SourceKeycloak {
		errs = append(errs, errors.New("pull.realm, pull.event_types: only source keycloak reads a realm's events"))
	}
	if p := c.Pull.Get(); p != nil && p.StartLogID != "" && c.Source != SourceAuth0 {
		errs = append(errs, errors.New("pull.start_log_id: only source auth0 pages by log_id"))
	}
	if p := c.Pull.Get(); p != nil {
		if u, err := url.Parse(p.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("pull.endpoint: must be an absolute http(s) URL"))
		}
		if p.PollInterval <= 0 {
			errs = append(errs, fmt.Errorf("pull.poll_interval: must be positive, got %s", p.PollInterval))
		}
		if p.Limit <= 0 {
			errs = append(errs, fmt.Errorf("pull.limit: must be positive, got %d", p.Limit))
		}
		if p.MaxEventsPerPoll < 0 {
			errs = append(errs, fmt.Errorf("pull.max_events_per_poll: must not be negative, got %d", p.MaxEventsPerPoll))
		}
		if p.InitialLookback < 0 {
			errs = append(errs, fmt.Errorf("pull.initial_lookback: must not be negative, got %s", p.InitialLookback))
		}
		if p.Backoff.InitialInterval <= 0 {
			errs = append(errs, fmt.Errorf("pull.backoff.initial_interval: must be positive, got %s", p.Backoff.InitialInterval))
		}
		if p.Backoff.MaxInterval < p.Backoff.InitialInterval {
			errs = append(errs, fmt.Errorf("pull.backoff.max_interval: must be at least initial_interval, got %s", p.Backoff.MaxInterval))
		}
		if strings.ContainsAny(string(p.BearerToken), "\r\n") {
			errs = append(errs, errors.New("pull.bearer_token: must not contain line breaks"))
		}
	}
	if p := c.Push.Get(); p != nil {
		if p.NetAddr.Endpoint == "" {
			errs = append(errs, errors.New("push.endpoint: must not be empty"))
		}
		if !strings.HasPrefix(p.Path, "/") {
			errs = append(errs, fmt.Errorf("push.path: must start with '/', got %q", p.Path))
		}
		if p.MaxRequestBodySize <= 0 {
			errs = append(errs, fmt.Errorf("push.max_request_body_size: must be positive, got %d", p.MaxRequestBodySize))
		}
		if strings.ContainsAny(string(p.Authorization), "\r\n") {
			errs = append(errs, errors.New("push.authorization: must not contain line breaks"))
		}
		if p.RetryAfter < time.Second {
			errs = append(errs, fmt.Errorf("push.retry_after: must be at least 1s, got %s", p.RetryAfter))
		}
		if p.HMAC.Secret != "" {
			if p.HMAC.SignatureHeader == "" {
				errs = append(errs, errors.New("push.hmac.signature_header: must not be empty"))
			}
			if p.HMAC.TimestampHeader != "" && p.HMAC.ReplayWindow <= 0 {
				errs = append(errs, fmt.Errorf("push.hmac.replay_window: must be positive, got %s", p.HMAC.ReplayWindow))
			}
		} else if p.HMAC.TimestampHeader != "" {
			errs = append(errs, errors.New("push.hmac.timestamp_header: needs push.hmac.secret"))
		}
	}
	return errors.Join(errs...)
}

// validateOkta checks what the Okta System Log source needs: a pull, no
// push, a limit the API accepts, and credentials as a header or an auth
// extension rather than AuthPlane's settings.
func (c *Config) validateOkta() []error {
	var errs []error
	if c.Push.HasValue() {
		errs = append(errs, errors.New("push: source okta is pull only (the System Log API)"))
	}
	p := c.Pull.Get()
	if p == nil {
		return append(errs, errors.New("pull: source okta needs the pull section"))
	}
	if p.Limit > oktaMaxLimit {
		errs = append(errs, fmt.Errorf("pull.limit: the Okta System Log serves at most %d events a page, got %d", oktaMaxLimit, p.Limit))
	}
	if p.BearerToken != "" {
		errs = append(errs, errors.New("pull.bearer_token: not used by source okta; set headers: {Authorization: SSWS <token>} or an auth extension"))
	}
	return append(errs, authPlaneFilters(p, SourceOkta, "")...)
}

// authPlaneFilters refuses AuthPlane's filters (pull.action, actor_id,
// client_id) for another source; hint, when set, says what to use instead.
func authPlaneFilters(p *PullConfig, source, hint string) []error {
	var errs []error
	for _, f := range [...]struct{ name, val string }{{"pull.action", p.Action}, {"pull.actor_id", p.ActorID}, {"pull.client_id", p.ClientID}} {
		if f.val != "" {
			errs = append(errs, fmt.Errorf("%s: not a filter of source %s%s", f.name, source, hint))
		}
	}
	return errs
}

// Unmarshal decodes the section. It is needed because the squashed
// confighttp.ClientConfig brings its own Unmarshal, which would otherwise be
// promoted and decode only the client settings; and because decoding around
// it does not report unknown keys, which are checked here.
func (p *PullConfig) Unmarshal(conf *confmap.Conf) error {
	if err := checkKeys(conf, reflect.TypeFor[PullConfig]()); err != nil {
		return err
	}
	type plain PullConfig
	return conf.Unmarshal((*plain)(p))
}

// Unmarshal decodes the section; see PullConfig.Unmarshal.
func (p *PushConfig) Unmarshal(conf *confmap.Conf) error {
	if err := checkKeys(conf, reflect.TypeFor[PushConfig]()); err != nil {
		return err
	}
	type plain PushConfig
	return conf.Unmarshal((*plain)(p))
}

// checkKeys reports keys of conf that no mapstructure tag of t names
// (squashed fields included), at every level of plain nested sections
// (pull.backoff, pull.tls, push.hmac, ...): a typo such as hmac.secrt must
// not silently switch a check off. Sections whose type decodes itself
// (configoptional, ...) report their own unknown keys.
func checkKeys(conf *confmap.Conf, t reflect.Type) error {
	unknown := unknownKeys(conf.ToStringMap(), t, "")
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("unknown keys: %s", strings.Join(unknown, ", "))
	}
	return nil
}

var confUnmarshaler = reflect.TypeFor[confmap.Unmarshaler]()

func unknownKeys(m map[string]any, t reflect.Type, prefix string) []string {
	known := map[string]reflect.Type{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if name == "" && strings.Contains(opts, "squash") {
				if ft.Kind() == reflect.Struct {
					walk(ft)
				}
				continue
			}
			if name != "" && name != "-" {
				known[name] = ft
			}
		}
	}
	walk(t)
	var unknown []string
	for k, v := range m {
		ft, ok := known[strings.ToLower(k)]
		if !ok {
			unknown = append(unknown, prefix+k)
			continue
		}
		sub, isMap := v.(map[string]any)
		if isMap && ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]() &&
			!reflect.PointerTo(ft).Implements(confUnmarshaler) {
			unknown = append(unknown, unknownKeys(sub, ft, prefix+k+"::")...)
		}
	}
	return unknown
}
