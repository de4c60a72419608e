package oauthredact

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
)

var updateLeaks = flag.Bool("update-leaks", false, "rewrite testdata/contrib_leaks.md")

// leakSecret is the corpus' secret (fake, never printed).
const leakSecret = "Lk9" + "Qz7Wv3Xt5Yr1Us8Tp2Vq"

// carrier puts the secret somewhere in a value. attr is the attribute form
// (key and value); text is the free-text form ("" when the detector needs
// a key, so it does not apply to name/message positions).
type carrier struct {
	name   string
	key    string
	value  func(pcommon.Value)
	text   string
	secret string
	echo   bool // the secret is also under oauth.refresh_token in another record
}

func strValue(s string) func(pcommon.Value) { return func(v pcommon.Value) { v.SetStr(s) } }

func leakCarriers() []carrier {
	s := leakSecret
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJMazlRejdXdjMifQ.c2lnbmF0dXJlLUxrOVF6N1d2M1h0"
	gh := "ghp_" + "Lk9Qz7Wv3Xt5Yr1Us8Tp2VqLk9Qz7Wv3Xt5"
	ory := "ory_rt_" + "Lk9Qz7Wv3Xt5Yr1Us8Tp2VqLk9Qz7Wv3Xt5.c2lnbmF0dXJlLUxrOVF6N1d2M1h0"
	return []carrier{
		{name: "secret key", key: "oauth.refresh_token", value: strValue(s), secret: s},
		{name: "URL query", key: "url.full", value: strValue("https://app.example/cb?code=" + s + "&iss=x"), text: "GET https://app.example/cb?code=" + s + "&iss=x", secret: s},
		{name: "URL fragment", key: "url.full", value: strValue("https://app.example/cb#access_token=" + s + "&token_type=bearer"), text: "redirect /cb#access_token=" + s + "&token_type=bearer", secret: s},
		{name: "form body", key: "http.request.body", value: strValue("grant_type=refresh_token&refresh_token=" + s), text: "POST /token grant_type=refresh_token&refresh_token=" + s, secret: s},
		{name: "JSON text", key: "http.response.body", value: strValue(`{"access_token":"` + s + `","token_type":"Bearer"}`), text: `token response {"access_token":"` + s + `"}`, secret: s},
		{name: "Authorization", key: "http.request.header.authorization", value: strValue("Bearer " + s), text: "upstream rejected Authorization: Bearer " + s, secret: s},
		{name: "header slice", key: "http.request.header.authorization", value: func(v pcommon.Value) { v.SetEmptySlice().AppendEmpty().SetStr("Bearer " + s) }, secret: s},
		{name: "Cookie", key: "http.request.header.cookie", value: strValue("theme=dark; sid=" + s), text: "request had Cookie: theme=dark; sid=" + s, secret: s},
		{name: "nested map", key: "request", value: func(v pcommon.Value) {
			v.SetEmptyMap().PutEmptyMap("headers").PutStr("Authorization", "Bearer "+s)
		}, secret: s},
		{name: "encoded URL", key: "url.full", value: strValue("https://idp.example/login?return_to=https%3A%2F%2Fapp.example%2Fcb%3Fcode%3D" + s + "%26iss%3Dx"), text: "redirect to https://idp.example/login?return_to=%2Fcb%3Fcode%3D" + s, secret: s},
		{name: "JSON in JSON", key: "message", value: strValue(`{"body":"{\"access_token\":\"` + s + `\"}"}`), text: `upstream said {"body":"{\"access_token\":\"` + s + `\"}"}`, secret: s},
		{name: "logfmt cookie", key: "message", value: strValue(`level=INFO cookie="theme=dark; sid=` + s + `"`), text: `level=INFO cookie="theme=dark; sid=` + s + `"`, secret: s},
		{name: "JWT", key: "message", value: strValue("token " + jwt + " expired"), text: "token " + jwt + " expired", secret: jwt},
		{name: "GitHub token", key: "message", value: strValue("using " + gh), text: "using " + gh, secret: gh},
		{name: "token exchange", key: "http.request.body", value: strValue("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=" + s + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"), text: "POST /token grant_type=token-exchange&subject_token=" + s, secret: s},
		{name: "introspection token", key: "http.request.body", value: strValue("token=" + s + "&token_type_hint=refresh_token"), text: "POST /introspect token=" + s + "&token_type_hint=refresh_token", secret: s},
		{name: "token identifier", key: "OAuth2RefreshTokenSignature", value: strValue(s), secret: s},
		{name: "URL userinfo", key: "url.full", value: strValue("https://client:" + s + "@as.example/token"), text: "POST https://client:" + s + "@as.example/token", secret: s},
		{name: "Hydra Location", key: "message", value: strValue(`{"location":"http://app/cb?code=` + s + `\u0026scope=openid"}`), text: `{"location":"http://app/cb?code=` + s + `\u0026scope=openid"}`, secret: s},
		{name: "Ory token", key: "message", value: strValue("refresh with " + ory + " failed"), text: "refresh with " + ory + " failed", secret: ory},
		{name: "echo", key: "message", value: strValue("refresh failed for " + s), text: "refresh failed for " + s, secret: s, echo: true},
	}
}

// leakPosition runs one carrier in one position through a processor and
// returns the OTLP protobuf of the result; "" (and false) when the carrier
// does not apply to the position.
type leakPosition struct {
	name string
	text bool // a name/message/body position: the carrier's text form
	run  func(t *testing.T, f processor.Factory, cfg component.Config, c carrier) []byte
}

func putCarrier(m pcommon.Map, c carrier) {
	c.value(m.PutEmpty(c.key))
}

func leakPositions() []leakPosition {
	span := func(place func(rs ptrace.ResourceSpans, span ptrace.Span, c carrier), text bool, name string) leakPosition {
		return leakPosition{name: name, text: text, run: func(t *testing.T, f processor.Factory, cfg component.Config, c carrier) []byte {
			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			spans := rs.ScopeSpans().AppendEmpty().Spans()
			sp := spans.AppendEmpty()
			sp.SetName("op")
			place(rs, sp, c)
			if c.echo {
				spans.AppendEmpty().Attributes().PutStr("oauth.refresh_token", c.secret)
			}
			sink := new(consumertest.TracesSink)
			p, err := f.CreateTraces(context.Background(), settingsFor(f), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.ConsumeTraces(context.Background(), td))
			b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(sink.AllTraces()[0])
			require.NoError(t, err)
			return b
		}}
	}
	logRec := func(place func(rl plog.ResourceLogs, lr plog.LogRecord, c carrier), text bool, name string) leakPosition {
		return leakPosition{name: name, text: text, run: func(t *testing.T, f processor.Factory, cfg component.Config, c carrier) []byte {
			ld := plog.NewLogs()
			rl := ld.ResourceLogs().AppendEmpty()
			lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
			place(rl, lrs.AppendEmpty(), c)
			if c.echo {
				lrs.AppendEmpty().Attributes().PutStr("oauth.refresh_token", c.secret)
			}
			sink := new(consumertest.LogsSink)
			p, err := f.CreateLogs(context.Background(), settingsFor(f), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.ConsumeLogs(context.Background(), ld))
			b, err := (&plog.ProtoMarshaler{}).MarshalLogs(sink.AllLogs()[0])
			require.NoError(t, err)
			return b
		}}
	}
	metricDP := func(exemplar bool, name string) leakPosition {
		return leakPosition{name: name, run: func(t *testing.T, f processor.Factory, cfg component.Config, c carrier) []byte {
			md := pmetric.NewMetrics()
			dps := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptySum().DataPoints()
			dp := dps.AppendEmpty()
			if exemplar {
				putCarrier(dp.Exemplars().AppendEmpty().FilteredAttributes(), c)
			} else {
				putCarrier(dp.Attributes(), c)
			}
			if c.echo {
				dps.AppendEmpty().Attributes().PutStr("oauth.refresh_token", c.secret)
			}
			sink := new(consumertest.MetricsSink)
			p, err := f.CreateMetrics(context.Background(), settingsFor(f), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.ConsumeMetrics(context.Background(), md))
			b, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(sink.AllMetrics()[0])
			require.NoError(t, err)
			return b
		}}
	}
	return []leakPosition{
		span(func(rs ptrace.ResourceSpans, _ ptrace.Span, c carrier) { putCarrier(rs.Resource().Attributes(), c) }, false, "resource attributes"),
		span(func(rs ptrace.ResourceSpans, _ ptrace.Span, c carrier) {
			putCarrier(rs.ScopeSpans().At(0).Scope().Attributes(), c)
		}, false, "scope attributes"),
		span(func(_ ptrace.ResourceSpans, sp ptrace.Span, c carrier) { sp.SetName(c.text) }, true, "span name"),
		span(func(_ ptrace.ResourceSpans, sp ptrace.Span, c carrier) { putCarrier(sp.Attributes(), c) }, false, "span attributes"),
		span(func(_ ptrace.ResourceSpans, sp ptrace.Span, c carrier) { sp.Status().SetMessage(c.text) }, true, "span status message"),
		span(func(_ ptrace.ResourceSpans, sp ptrace.Span, c carrier) { sp.Events().AppendEmpty().SetName(c.text) }, true, "span event name"),
		span(func(_ ptrace.ResourceSpans, sp ptrace.Span, c carrier) {
			putCarrier(sp.Events().AppendEmpty().Attributes(), c)
		}, false, "span event attributes"),
		span(func(_ ptrace.ResourceSpans, sp ptrace.Span, c carrier) {
			putCarrier(sp.Links().AppendEmpty().Attributes(), c)
		}, false, "span link attributes"),
		logRec(func(_ plog.ResourceLogs, lr plog.LogRecord, c carrier) { putCarrier(lr.Attributes(), c) }, false, "log attributes"),
		logRec(func(_ plog.ResourceLogs, lr plog.LogRecord, c carrier) { lr.Body().SetStr(c.text) }, true, "log body (string)"),
		logRec(func(_ plog.ResourceLogs, lr plog.LogRecord, c carrier) { putCarrier(lr.Body().SetEmptyMap(), c) }, false, "log body (map)"),
		logRec(func(_ plog.ResourceLogs, lr plog.LogRecord, c carrier) {
			putCarrier(lr.Body().SetEmptySlice().AppendEmpty().SetEmptyMap().PutEmptyMap("inner"), c)
		}, false, "log body (slice, nested)"),
		logRec(func(_ plog.ResourceLogs, lr plog.LogRecord, c carrier) { lr.SetEventName(c.text) }, true, "log event name"),
		metricDP(false, "data-point attributes"),
		metricDP(true, "exemplar attributes"),
	}
}

func settingsFor(f processor.Factory) processor.Settings {
	if f.Type() == NewFactory().Type() {
		return testSettings()
	}
	return contribSettings()
}

// TestLeakCorpus runs the corpus through oauth_redact (which must leak
// nothing) and through contrib's redaction processor with contribConfig,
// and checks the resulting table against testdata/contrib_leaks.md (which
// the README shows). Regenerate with: go test -run TestLeakCorpus -update-leaks
func TestLeakCorpus(t *testing.T) {
	carriers := leakCarriers()
	positions := leakPositions()
	ours, contrib := NewFactory(), redactionprocessor.NewFactory()
	oursCfg, contribCfg := testConfig(), contribConfig()

	var tbl strings.Builder
	tbl.WriteString("| position |")
	for _, c := range carriers {
		tbl.WriteString(" " + c.name + " |")
	}
	tbl.WriteString("\n|---|")
	tbl.WriteString(strings.Repeat("---|", len(carriers)))
	tbl.WriteString("\n")
	total, leaks := 0, 0
	for _, pos := range positions {
		tbl.WriteString("| " + pos.name + " |")
		for _, c := range carriers {
			if pos.text && c.text == "" {
				tbl.WriteString(" – |")
				continue
			}
			if pos.text {
				c.value = strValue(c.text)
			}
			total++
			noLeak(t, "oauth_redact, "+pos.name+", "+c.name, pos.run(t, ours, oursCfg, c), c.secret)
			if bytes.Contains(pos.run(t, contrib, contribCfg, c), []byte(c.secret)) {
				leaks++
				tbl.WriteString(" **leaks** |")
			} else {
				tbl.WriteString(" ok |")
			}
		}
		tbl.WriteString("\n")
	}
	fmt.Fprintf(&tbl, "\ncontrib leaks in %d of %d cases; oauth_redact in 0 of %d.\n", leaks, total, total)

	golden := filepath.Join("testdata", "contrib_leaks.md")
	if *updateLeaks {
		require.NoError(t, os.WriteFile(golden, []byte(tbl.String()), 0o600))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), tbl.String(), "regenerate with -update-leaks")
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), tbl.String(), "README.md must show testdata/contrib_leaks.md")
}
