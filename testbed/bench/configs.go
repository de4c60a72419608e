package bench

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
)

// Scenario names.
const (
	Passthrough = "passthrough"
	Full        = "oauth"
	Upstream    = "upstream"
	Memory      = "memory"
)

// ScenarioTitles describe the scenarios in the report.
var ScenarioTitles = map[string]string{
	Passthrough: "1. passthrough: otlp -> batch -> otlp_http (the floor)",
	Full:        "2. full OAuth pipeline: otlp -> oauth_redact -> oauth_security -> batch -> otlp_http, + oauth_span_metrics -> prometheus",
	Upstream:    "3. upstream only: otlp -> redaction -> transform -> batch -> otlp_http, + signal_to_metrics -> prometheus",
	Memory:      "otlp -> oauth_redact -> oauth_security -> batch -> otlp_http",
}

//go:embed upstream_signaltometrics.yaml
var upstreamSignalToMetrics string

// Ports of one collector run.
type Ports struct {
	GRPC, HTTP, Health, Prom, Telemetry int
	// Pprof, when not 0, enables the pprof extension on that port.
	Pprof int
	Sink  string
}

type configData struct {
	Ports
	Grace      string
	MaxEntries int
	Redaction  string
	S2M        string
}

const common = `extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
{{- if .Pprof}}
  pprof:
    endpoint: 127.0.0.1:{{.Pprof}}
{{- end}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.GRPC}}
        max_recv_msg_size_mib: 64
      http:
        endpoint: 127.0.0.1:{{.HTTP}}
`

const exporters = `exporters:
  otlp_http:
    endpoint: http://{{.Sink}}
    compression: none
{{- if .Prom}}
  prometheus:
    endpoint: 127.0.0.1:{{.Prom}}
{{- end}}
`

const telemetry = `  telemetry:
    logs:
      level: warn
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{.Telemetry}}
`

// serviceHead opens the service section: extensions and own telemetry.
const serviceHead = `service:
  extensions: [health_check{{if .Pprof}}, pprof{{end}}]
` + telemetry

// derivingService is the service of a scenario that derives metrics: traces
// and logs through processors to the sink and the connector, app metrics
// through the redactor, and the connector's metrics to prometheus.
func derivingService(processors, redactor, connector string) string {
	return serviceHead + fmt.Sprintf(`  pipelines:
    traces:
      receivers: [otlp]
      processors: [%[1]s]
      exporters: [otlp_http, %[3]s]
    logs:
      receivers: [otlp]
      processors: [%[1]s]
      exporters: [otlp_http, %[3]s]
    metrics/app:
      receivers: [otlp]
      processors: [%[2]s, batch]
      exporters: [otlp_http]
    metrics:
      receivers: [%[3]s]
      exporters: [prometheus]
`, processors, redactor, connector)
}

var templates = map[string]string{
	Passthrough: common + exporters + `processors:
  batch: {}
` + serviceHead + `  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_http]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_http]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_http]
`,
	Full: common + exporters + `processors:
  oauth_normalize: {}
  oauth_redact:
    fingerprint_key: ${env:OAUTH_FINGERPRINT_KEY}
  oauth_security:
    fingerprint_key: ${env:OAUTH_FINGERPRINT_KEY}
    reuse_grace_period: {{.Grace}}
    code_ttl: 1h
    state_ttl: 1h
    max_entries: {{.MaxEntries}}
  batch: {}
connectors:
  oauth_span_metrics:
    flush_interval: 1s
` + derivingService("oauth_normalize, oauth_redact, oauth_security, batch", "oauth_redact", "oauth_span_metrics"),
	Upstream: common + exporters + `processors:
  redaction:
{{.Redaction}}
  transform:
    error_mode: ignore
    trace_statements:
      - context: span
        statements:
          - set(attributes["oauth.side"], "client") where attributes["oauth.operation"] != nil and attributes["oauth.side"] == nil and kind == SPAN_KIND_CLIENT
          - set(attributes["oauth.side"], "server") where attributes["oauth.operation"] != nil and attributes["oauth.side"] == nil and kind == SPAN_KIND_SERVER
          - set(attributes["oauth.status"], "failure") where attributes["oauth.operation"] != nil and attributes["oauth.status"] == nil and status.code == STATUS_CODE_ERROR
          - set(attributes["oauth.status"], "initiated") where attributes["oauth.operation"] == "authorize" and attributes["oauth.status"] == nil
          - set(attributes["oauth.status"], "success") where attributes["oauth.operation"] != nil and attributes["oauth.status"] == nil
          - set(attributes["oauth.reason"], "normal") where attributes["oauth.operation"] == "refresh" and attributes["oauth.status"] == "success" and attributes["oauth.reason"] == nil
          - set(attributes["oauth.reason"], "valid") where attributes["oauth.operation"] == "pkce.validate" and attributes["oauth.status"] == "success" and attributes["oauth.reason"] == nil
    log_statements:
      - context: log
        statements:
          - set(attributes["oauth.status"], "initiated") where attributes["oauth.operation"] == "authorize" and attributes["oauth.status"] == nil
          - set(attributes["oauth.status"], "success") where attributes["oauth.operation"] != nil and attributes["oauth.status"] == nil
          - set(attributes["oauth.reason"], "normal") where attributes["oauth.operation"] == "refresh" and attributes["oauth.status"] == "success" and attributes["oauth.reason"] == nil
          - set(attributes["oauth.reason"], "valid") where attributes["oauth.operation"] == "pkce.validate" and attributes["oauth.status"] == "success" and attributes["oauth.reason"] == nil
  batch: {}
connectors:
  signal_to_metrics:
{{.S2M}}
` + derivingService("redaction, transform, batch", "redaction", "signal_to_metrics"),
	Memory: common + exporters + `processors:
  oauth_redact:
    fingerprint_key: ${env:OAUTH_FINGERPRINT_KEY}
  oauth_security:
    fingerprint_key: ${env:OAUTH_FINGERPRINT_KEY}
    max_entries: {{.MaxEntries}}
  batch: {}
` + serviceHead + `  pipelines:
    traces:
      receivers: [otlp]
      processors: [oauth_redact, oauth_security, batch]
      exporters: [otlp_http]
`,
}

// redactionConfig is contrib's redaction processor configured as close to
// oauth_redact's default behaviour as it can be expressed (the same as
// processor/oauthredact's contrib comparison): keep every key, HMAC the
// values of the contract's secret and header keys, and HMAC every match of
// our value detectors written as regular expressions.
func redactionConfig() string {
	params := "code|state|access_token|refresh_token|id_token|code_verifier|client_secret|client_assertion"
	keys := []string{
		`(?i)^(oauth\.)?(access_token|refresh_token|id_token|code_verifier|client_secret|client_assertion)$`,
		`(?i)^oauth\.(code|state|dpop\.jti)$`,
		`(?i)(^|\.)(proxy-)?authorization$`,
		`(?i)(^|\.)(set-)?cookie$`,
	}
	values := []string{
		`(?i)\b(` + params + `)=[^&#\s"']+`,
		`(?i)"(` + params + `)"\s*:\s*"[^"]*"`,
		`(?i)\b(bearer|dpop|basic) [A-Za-z0-9._~+/-]{8,}=*`,
	}
	for _, f := range oauthredact.BuiltinTokenFormats() {
		values = append(values, f.Regexp)
	}
	var b strings.Builder
	b.WriteString("    allow_all_keys: true\n    blocked_key_patterns:\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "      - %s\n", yamlQuote(k))
	}
	b.WriteString("    blocked_values:\n")
	for _, v := range values {
		fmt.Fprintf(&b, "      - %s\n", yamlQuote(v))
	}
	b.WriteString("    hash_function: hmac-sha256\n    hmac_key: ${env:OAUTH_FINGERPRINT_KEY}\n    summary: silent")
	return b.String()
}

// yamlQuote writes a single-quoted YAML scalar.
func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func indent(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		b.WriteString(prefix + l + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// Config renders the collector config of a scenario.
func Config(scenario string, p Ports, grace time.Duration, maxEntries int) (string, error) {
	t, ok := templates[scenario]
	if !ok {
		return "", fmt.Errorf("unknown scenario %q", scenario)
	}
	tpl, err := template.New(scenario).Parse(t)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = tpl.Execute(&b, configData{Ports: p, Grace: grace.String(), MaxEntries: maxEntries,
		Redaction: redactionConfig(), S2M: indent(upstreamSignalToMetrics, "    ")})
	return b.String(), err
}
