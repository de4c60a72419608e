package oauthsafeerrors

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
)

type middleware struct {
	component.StartFunc
	component.ShutdownFunc
	s *sanitizer
}

var _ extensionmiddleware.HTTPServer = (*middleware)(nil)

func newMiddleware(cfg *Config) *middleware {
	return &middleware{s: newSanitizer(cfg.MinTokenLength, cfg.Mask)}
}

// GetHTTPHandler wraps a receiver's handler: successful responses stream
// through untouched; error responses are buffered and scrubbed.
func (m *middleware) GetHTTPHandler(context.Context) (extensionmiddleware.WrapHTTPHandlerFunc, error) {
	return func(_ context.Context, next http.Handler) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ew := &errorWriter{ResponseWriter: w}
			next.ServeHTTP(ew, r)
			if ew.status >= http.StatusBadRequest {
				body := m.scrubBody(w.Header().Get("Content-Type"), ew.buf.Bytes())
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(ew.status)
				_, _ = w.Write(body)
			}
		}), nil
	}, nil
}

// scrubBody rewrites an OTLP error status (JSON: every string in it;
// protobuf google.rpc.Status: the message, and the details are dropped, as
// their bytes cannot be scrubbed), or the whole body when it is anything else.
func (m *middleware) scrubBody(contentType string, body []byte) []byte {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case "application/json":
		var st any
		if json.Unmarshal(body, &st) == nil {
			if out, err := json.Marshal(m.scrubJSON(st)); err == nil {
				return out
			}
		}
	case "application/x-protobuf":
		var st spb.Status
		if proto.Unmarshal(body, &st) == nil {
			st.Message = m.s.scrub(st.Message)
			st.Details = nil
			if out, err := proto.Marshal(&st); err == nil {
				return out
			}
		}
		// Undecodable binary: a scrubbed string is safer than the raw bytes.
	}
	return []byte(m.s.scrub(string(body)))
}

// scrubJSON scrubs every string of a decoded JSON value (not the keys).
func (m *middleware) scrubJSON(v any) any {
	switch v := v.(type) {
	case string:
		return m.s.scrub(v)
	case map[string]any:
		for k, e := range v {
			v[k] = m.scrubJSON(e)
		}
	case []any:
		for i, e := range v {
			v[i] = m.scrubJSON(e)
		}
	}
	return v
}

// errorWriter passes 1xx/2xx/3xx responses through and holds back the body
// of an error response until the handler is done.
type errorWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (e *errorWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && e.status == 0 {
		e.ResponseWriter.WriteHeader(code) // informational: the final status is still to come
		return
	}
	if e.status != 0 {
		return
	}
	e.status = code
	if code < http.StatusBadRequest {
		e.ResponseWriter.WriteHeader(code)
	}
}

func (e *errorWriter) Write(p []byte) (int, error) {
	if e.status == 0 {
		e.WriteHeader(http.StatusOK)
	}
	if e.status >= http.StatusBadRequest {
		return e.buf.Write(p)
	}
	return e.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (e *errorWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }
