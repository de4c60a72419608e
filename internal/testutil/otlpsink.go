package testutil

import (
	"crypto/tls"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// OTLPSink is an in-process OTLP receiver (gRPC and HTTP/protobuf on
// 127.0.0.1) that keeps every request it acknowledged, in arrival order.
// Collectors under test export to it; the test reads what arrived.
type OTLPSink struct {
	// GRPCAddr and HTTPURL are where the sink listens (HTTPURL without a
	// path: an otlp_http exporter's endpoint).
	GRPCAddr string
	HTTPURL  string

	mu     sync.Mutex
	logs   []plog.Logs
	traces []ptrace.Traces
}

func (s *OTLPSink) addLogs(ld plog.Logs) {
	c := plog.NewLogs()
	ld.CopyTo(c)
	s.mu.Lock()
	s.logs = append(s.logs, c)
	s.mu.Unlock()
}

func (s *OTLPSink) addTraces(td ptrace.Traces) {
	c := ptrace.NewTraces()
	td.CopyTo(c)
	s.mu.Lock()
	s.traces = append(s.traces, c)
	s.mu.Unlock()
}

// StartOTLPSink starts the sink; with tlsCfg the gRPC side serves TLS. It
// stops at test cleanup.
func StartOTLPSink(t testing.TB, tlsCfg *tls.Config) *OTLPSink {
	t.Helper()
	s := &OTLPSink{}
	var opts []grpc.ServerOption
	if tlsCfg != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(tlsCfg)))
	}
	srv, err := StartOTLPServer(s.consume, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s.GRPCAddr, s.HTTPURL = srv.GRPCAddr, "http://"+srv.HTTPAddr
	return s
}

// consume keeps logs and traces; metrics are acknowledged and dropped.
func (s *OTLPSink) consume(signal string, body []byte) error {
	switch signal {
	case SignalLogs:
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			return err
		}
		s.addLogs(req.Logs())
	case SignalTraces:
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			return err
		}
		s.addTraces(req.Traces())
	}
	return nil
}

// LogRecords returns a copy of every log record received so far.
func (s *OTLPSink) LogRecords() []plog.LogRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []plog.LogRecord
	for _, ld := range s.logs {
		out = append(out, LogRecordsOf(ld)...)
	}
	return out
}

// LogRecordsOf returns every log record of ld, in order.
func LogRecordsOf(ld plog.Logs) []plog.LogRecord {
	var out []plog.LogRecord
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sls := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				out = append(out, lrs.At(k))
			}
		}
	}
	return out
}

// Spans returns every span received so far.
func (s *OTLPSink) Spans() []ptrace.Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ptrace.Span
	for _, td := range s.traces {
		out = append(out, SpansOf(td)...)
	}
	return out
}

// SpansOf returns every span of td, in order.
func SpansOf(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		sss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sp := sss.At(j).Spans()
			for k := 0; k < sp.Len(); k++ {
				out = append(out, sp.At(k))
			}
		}
	}
	return out
}

// Dump is everything received, as OTLP JSON, for leak scans.
func (s *OTLPSink) Dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b []byte
	for _, ld := range s.logs {
		j, _ := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		b = append(append(b, j...), '\n')
	}
	for _, td := range s.traces {
		j, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		b = append(append(b, j...), '\n')
	}
	return string(b)
}
