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

// scrubBody rewrites the message of an OTLP error status (JSON or protobuf
// google.rpc.Status), or the whole body when it is anything else.
func (m *middleware) scrubBody(contentType string, body []byte) []byte {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case "application/json":
		var st map[string]any
		if json.Unmarshal(body, &st) == nil {
			if msg, ok := st["message"].(string); ok {
				st["message"] = m.s.scrub(msg)
				if out, err := json.Marshal(st); err == nil {
					return out
				}
			}
		}
	case "application/x-protobuf":
		var st spb.Status
		if proto.Unmarshal(body, &st) == nil {
			st.Message = m.s.scrub(st.Message)
			if out, err := proto.Marshal(&st); err == nil {
				return out
			}
		}
		// Undecodable binary: a scrubbed string is safer than the raw bytes.
	}
	return []byte(m.s.scrub(string(body)))
}

// errorWriter passes 1xx/2xx/3xx responses through and holds back the body
// of an error response until the handler is done.
type errorWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (e *errorWriter) WriteHeader(code int) {
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
