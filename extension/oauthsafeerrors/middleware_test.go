package oauthsafeerrors

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/otelcol-oauth/otelcol-oauth/extension/oauthsafeerrors/internal/metadata"
)

// A jsoniter-style error as the OTLP receiver returns it for bad JSON.
const token = "rt_RazoB0eVAAaSWNPyvlimGtt1yvOgT7px"

var echoMsg = `ReadObject: expect { or , or } or n, but found \u0000, error found in #10 byte of ...|OgT7px"}}]|..., bigger context ...|ingValue":"` + token + `"}}]|...`

// noEcho fails when any part of the token is in body, without printing it.
func noEcho(t *testing.T, body []byte, what string) {
	t.Helper()
	if strings.Contains(string(body), "OgT7px") || strings.Contains(string(body), token[8:]) {
		t.Errorf("%s: the token (or its tail) came back", what)
	}
}

func serve(t *testing.T, h http.HandlerFunc) *http.Response {
	t.Helper()
	wrap, err := newMiddleware(createDefaultConfig().(*Config)).GetHTTPHandler(context.Background())
	require.NoError(t, err)
	handler, err := wrap(context.Background(), h)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/traces", strings.NewReader("{}")))
	return rec.Result()
}

func TestJSONStatusScrubbed(t *testing.T) {
	resp := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		b, _ := json.Marshal(map[string]any{"code": 3, "message": echoMsg})
		_, _ = w.Write(b)
	})
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	noEcho(t, body, "no fragment of the echoed input may remain")
	var st map[string]any
	require.NoError(t, json.Unmarshal(body, &st), "the body stays a JSON status")
	assert.EqualValues(t, 3, st["code"])
	msg, _ := st["message"].(string)
	assert.True(t, strings.Contains(msg, "ReadObject: expect { or , or } or n"), "the diagnosis is kept")
}

func TestProtobufStatusScrubbed(t *testing.T) {
	resp := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusBadRequest)
		b, _ := proto.Marshal(&spb.Status{Code: 3, Message: "bad token " + token})
		_, _ = w.Write(b)
	})
	body, _ := io.ReadAll(resp.Body)
	var st spb.Status
	require.NoError(t, proto.Unmarshal(body, &st))
	assert.EqualValues(t, 3, st.Code)
	assert.True(t, st.Message == "bad token [REDACTED]", "the token is masked, the rest kept") // never printed
}

func TestPlainTextScrubbedAndSuccessUntouched(t *testing.T) {
	resp := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unsupported: Bearer "+token, http.StatusUnsupportedMediaType)
	})
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	assert.True(t, string(body) == "unsupported: Bearer [REDACTED]\n", "the token is masked, the rest kept") // never printed

	// A 200 streams through byte for byte, even when it contains a token.
	ok := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("partial_success " + token))
	})
	body, _ = io.ReadAll(ok.Body)
	assert.Equal(t, http.StatusOK, ok.StatusCode)
	assert.True(t, string(body) == "partial_success "+token, "a 200 streams through unchanged")
}

func TestScrubKeepsOrdinaryWords(t *testing.T) {
	s := newSanitizer(16, "[REDACTED]")
	for _, msg := range []string{
		"proto: cannot parse invalid wire-format data",
		"request body too large: max 20971520 bytes",
		"unsupported content type application/x-www-form-urlencoded",
	} {
		assert.Equal(t, msg, s.scrub(msg))
	}
	assert.False(t, strings.Contains(s.scrub("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig12345abcdef"), "eyJhbGci"), "a JWT is masked")
}

func TestConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	load := func(name string) *Config {
		sub, err := cm.Sub(component.MustNewIDWithName(metadata.Type.String(), name).String())
		require.NoError(t, err)
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		require.NoError(t, sub.Unmarshal(cfg))
		return cfg
	}
	require.NoError(t, confmap.Validate(load("")))
	custom := load("custom")
	require.NoError(t, confmap.Validate(custom))
	assert.Equal(t, 24, custom.MinTokenLength)
	require.ErrorContains(t, confmap.Validate(load("tooshort")), "min_token_length")
	tooLong := load("")
	tooLong.MinTokenLength = 1001 // beyond what the token expression can repeat
	require.ErrorContains(t, confmap.Validate(tooLong), "min_token_length")
	tooLong.MinTokenLength = 1000
	require.NoError(t, confmap.Validate(tooLong))
	assert.NotPanics(t, func() { newMiddleware(tooLong) })
}

// TestStatusDetailsScrubbed: a token echoed in the details of a status, not
// only in its message, never comes back.
func TestStatusDetailsScrubbed(t *testing.T) {
	resp := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusBadRequest)
		b, _ := proto.Marshal(&spb.Status{Code: 3, Message: "bad request", Details: []*anypb.Any{{TypeUrl: "type.googleapis.com/x", Value: []byte("got " + token)}}})
		_, _ = w.Write(b)
	})
	body, _ := io.ReadAll(resp.Body)
	noEcho(t, body, "protobuf details")
	var st spb.Status
	require.NoError(t, proto.Unmarshal(body, &st))
	assert.Equal(t, "bad request", st.Message)

	resp = serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":3,"message":"bad request","details":[{"@type":"type.googleapis.com/x","reason":"got ` + token + `"}]}`))
	})
	body, _ = io.ReadAll(resp.Body)
	noEcho(t, body, "JSON details")
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Equal(t, "bad request", m["message"])
}

// TestInformationalThenError: a 1xx sent first does not let the error
// response that follows through unscrubbed.
func TestInformationalThenError(t *testing.T) {
	wrap, err := newMiddleware(createDefaultConfig().(*Config)).GetHTTPHandler(context.Background())
	require.NoError(t, err)
	handler, err := wrap(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		http.Error(w, "bad token "+token, http.StatusBadRequest)
	}))
	require.NoError(t, err)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	noEcho(t, body, "after 1xx")
}
