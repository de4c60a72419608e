package oauthredact

import (
	"regexp"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/testkey"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// contribConfig is the closest equivalent of our default behaviour that
// contrib's redaction processor can express: keep every key, hash (HMAC) the
// values of the contract's secret keys, token identifiers and header keys,
// and hash every match of our value detectors written as regular
// expressions: the contract v2 parameters in URLs, forms and JSON, URL
// userinfo, the credential schemes and the built-in token formats.
func contribConfig() *redactionprocessor.Config {
	cfg := redactionprocessor.NewFactory().CreateDefaultConfig().(*redactionprocessor.Config)
	cfg.AllowAllKeys = true
	quote := func(list []string) string {
		q := make([]string, len(list))
		for i, k := range list {
			q[i] = regexp.QuoteMeta(k)
		}
		return strings.Join(q, "|")
	}
	prefixed := make([]string, len(contract.SecretKeysPrefixedOnly))
	for i, k := range contract.SecretKeysPrefixedOnly {
		prefixed[i] = strings.TrimPrefix(k, "oauth.")
	}
	params := quote(contract.SecretParams)
	cfg.BlockedKeyPatterns = []string{
		`(?i)^(oauth\.)?(` + quote(contract.SecretKeysAnywhere) + `)$`,
		`(?i)^oauth\.(` + quote(prefixed) + `)$`,
		`(?i)^(` + quote(contract.TokenIdentifierKeys) + `)$`,
		`(?i)(^|\.)(proxy-)?authorization$`,
		`(?i)(^|\.)(set-)?cookie$`,
	}
	cfg.BlockedValues = []string{
		`(?i)\b(` + params + `)=[^&#\s"'\\]+`,
		`(?i)"(` + params + `)"\s*:\s*"[^"]*"`,
		`(?i)\b(bearer|dpop|basic) [A-Za-z0-9._~+/-]{8,}=*`,
		`://[^/?#@\s:]*:[^/?#@\s]+@`,
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
