package oauthredact

import (
	"strings"
	"testing"
)

// Ory Hydra v2.3.0's request log (logrusx, JSON): Go's encoding/json
// escapes '&' as \u0026, so inside the Location value the parameters are
// separated by \u0026. The authorization code is an ory_ac_ token.
const (
	hydraCode  = "ory_ac_" + "Zm9vYmFyYmF6cXV4LXF1dXg.c2lnbmF0dXJlLXBhcnQtMTIz"
	hydraState = "St4" + "teValue9xKq2Lm8Np"
	hydraLine  = `{"audience":"application","http_request":{"headers":{"accept":"text/html"},"host":"127.0.0.1:4444","method":"GET","path":"/oauth2/auth","query":"Value is sensitive and has been redacted. To see the value set config key \"log.leak_sensitive_values = true\" or environment variable \"LOG_LEAK_SENSITIVE_VALUES=true\".","remote":"127.0.0.1:50312","scheme":"http"},"http_response":{"headers":{"cache-control":"no-store","location":"http://127.0.0.1:5555/callback?code=CODE\u0026scope=openid+offline\u0026state=STATE"},"size":0,"status":303,"text_status":"See Other","took":2345678},"level":"info","msg":"completed handling request","service_name":"Ory Hydra","service_version":"v2.3.0","time":"2026-12-06T14:00:00.000000000Z"}`
)

func hydraLogLine(code, state string) string {
	return strings.NewReplacer("CODE", code, "STATE", state).Replace(hydraLine)
}

// TestHydraLogLine: the raw line as a log body keeps its shape, with code
// and state fingerprinted (the secret is the value between the \u0026
// separators) and scope, status, paths readable.
func TestHydraLogLine(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	got := redactOne(r, "", hydraLogLine(hydraCode, hydraState))
	equalNoLeak(t, hydraLogLine(fp(hydraCode), fp(hydraState)), got, hydraCode, hydraState)
}

// TestHydraLocationParsed: the same Location once a JSON parser (the
// agent's file_log json_parser) has decoded \u0026 into '&'.
func TestHydraLocationParsed(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	loc := "http://127.0.0.1:5555/callback?code=CODE&scope=openid+offline&state=STATE"
	in := strings.NewReplacer("CODE", hydraCode, "STATE", hydraState).Replace(loc)
	want := strings.NewReplacer("CODE", fp(hydraCode), "STATE", fp(hydraState)).Replace(loc)
	equalNoLeak(t, want, redactOne(r, "location", in), hydraCode, hydraState)
}

// TestOryTokenFormats: Hydra's ory_at_ / ory_rt_ / ory_ac_ tokens in free
// text, whole (key and signature); near misses stay.
func TestOryTokenFormats(t *testing.T) {
	r := newTestRedactor(t, testConfig())
	key, sig := "Zm9vYmFyYmF6cXV4LXF1dXgtY29ycmVjdC1ob3JzZQ", "c2lnbmF0dXJlLXBhcnQtMTIzNDU2Nzg5MGFiY2RlZg"
	for _, p := range []string{"ory_at_", "ory_rt_", "ory_ac_"} {
		tok := p + key + "." + sig
		equalNoLeak(t, "refresh with "+fp(tok)+" failed", redactOne(r, "", "refresh with "+tok+" failed"), tok, key, sig)
		equalNoLeak(t, "using "+fp(p+key)+"; ok", redactOne(r, "message", "using "+p+key+"; ok"), key)
	}
	for _, s := range []string{"ory_xx_" + key, "factory_at_" + key, "ory_at_short.sig"} {
		equalNoLeak(t, "x "+s, redactOne(r, "message", "x "+s))
	}
}
