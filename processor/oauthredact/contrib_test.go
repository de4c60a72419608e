package oauthredact

import (
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// contribConfig is the closest equivalent of our default behaviour that
// contrib's redaction processor can express: keep every key, hash (HMAC) the
// values of the contract's secret keys and header keys, and hash every
// match of our value detectors written as regular expressions.
func contribConfig() *redactionprocessor.Config {
	cfg := redactionprocessor.NewFactory().CreateDefaultConfig().(*redactionprocessor.Config)
	cfg.AllowAllKeys = true
	params := strings.Join([]string{"code", "state", "access_token", "refresh_token", "id_token", "code_verifier", "client_secret", "client_assertion"}, "|")
	cfg.BlockedKeyPatterns = []string{
		`(?i)^(oauth\.)?(access_token|refresh_token|id_token|code_verifier|client_secret|client_assertion)$`,
		`(?i)^oauth\.(code|state|dpop\.jti)$`,
		`(?i)(^|\.)(proxy-)?authorization$`,
		`(?i)(^|\.)(set-)?cookie$`,
	}
	cfg.BlockedValues = []string{
		`(?i)\b(` + params + `)=[^&#\s"']+`,
		`(?i)"(` + params + `)"\s*:\s*"[^"]*"`,
		`(?i)\b(bearer|dpop|basic) [A-Za-z0-9._~+/-]{8,}=*`,
	}
	for _, f := range BuiltinTokenFormats() {
		cfg.BlockedValues = append(cfg.BlockedValues, f.Regexp)
	}
	cfg.HashFunction = redactionprocessor.HMACSHA256
	cfg.HMACKey = configopaque.String(testkey.Key)
	cfg.Summary = "silent"
	return cfg
}

func contribSettings() processor.Settings {
	return processortest.NewNopSettings(component.MustNewType("redaction"))
}
