package oauthgen

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TestSenderRetriesAndCounts: retryable HTTP errors are retried (honouring
// nothing longer than the backoff here), a partial success is counted as
// rejected, a permanent error fails the request.
func TestSenderRetriesAndCounts(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch {
		case n <= 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/v1/logs":
			w.WriteHeader(http.StatusBadRequest)
		default:
			resp := ptraceotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedSpans(3)
			b, _ := resp.MarshalProto()
			w.Header().Set("Content-Type", "application/x-protobuf")
			_, _ = w.Write(b)
		}
	}))
	defer srv.Close()
	g := New(small(9))
	var ps []Payload
	for len(ps) < 3 {
		r, ok := g.Next()
		require.True(t, ok)
		if r.Signal == Metrics {
			continue
		}
		p, err := Marshal(r)
		require.NoError(t, err)
		ps = append(ps, p)
	}
	s, err := NewSender(SenderConfig{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Protocol: "http"})
	require.NoError(t, err)
	defer s.Close()
	st := s.Run(t.Context(), &SliceSource{Payloads: ps})
	var sent, traces, logs int64
	for _, p := range ps {
		sent += int64(p.Records)
		if p.Signal == Traces {
			traces += int64(p.Records)
		} else {
			logs += int64(p.Records)
		}
	}
	assert.Equal(t, sent, st.Sent)
	assert.Equal(t, int64(2), st.Retries)
	assert.Equal(t, logs, st.Failed, "a 400 is permanent")
	nTraces := int64(0)
	for _, p := range ps {
		if p.Signal == Traces {
			nTraces++
		}
	}
	assert.Equal(t, 3*nTraces, st.Rejected)
	assert.Equal(t, traces-3*nTraces, st.Accepted)
}

// TestSenderRate: a fixed rate paces the requests (a lower bound on the
// elapsed time, no upper bound: timings are not asserted).
func TestSenderRate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	ps := []Payload{{Signal: Traces, Records: 100}, {Signal: Traces, Records: 100}, {Signal: Traces, Records: 100}}
	s, err := NewSender(SenderConfig{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Protocol: "http", Rate: 1000})
	require.NoError(t, err)
	defer s.Close()
	st := s.Run(t.Context(), &SliceSource{Payloads: ps})
	assert.Equal(t, int64(300), st.Accepted)
	assert.GreaterOrEqual(t, st.Elapsed, 200*time.Millisecond, "the third request is due at 200ms")
}
