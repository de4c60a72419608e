// Package bench is the testbed harness: it runs the collector binary as a
// child process on benchmark pipelines, feeds it the generator's traffic,
// receives everything it exports in an in-process OTLP sink, and reports
// CPU, RSS, record counts, leaks and detection accuracy.
package bench // import "github.com/otelcol-oauth/otelcol-oauth/testbed/bench"

import (
	"bytes"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// Sink is an OTLP receiver (HTTP and gRPC) that counts the records it
// receives, scans every received byte for the generator's secret marker and
// collects the security findings annotated on spans and log records.
type Sink struct {
	spans, logs, points atomic.Int64
	bytes, requests     atomic.Int64
	leaks               atomic.Int64

	mu        sync.Mutex
	scorer    *scenario.Scorer
	leakWhere map[string]int
	diagnosed int

	srv *testutil.OTLPServer
	// HTTPAddr and GRPCAddr are the listening addresses (127.0.0.1:port).
	HTTPAddr, GRPCAddr string
}

var findingsKey = []byte(contract.AttrSecurityFindings)

// signalOf maps the OTLP server's signal names onto the generator's.
var signalOf = map[string]oauthgen.Signal{
	testutil.SignalTraces: oauthgen.Traces, testutil.SignalLogs: oauthgen.Logs, testutil.SignalMetrics: oauthgen.Metrics,
}

// NewSink starts a sink on loopback ports.
func NewSink() (*Sink, error) {
	s := &Sink{scorer: scenario.NewScorer(), leakWhere: map[string]int{}}
	srv, err := testutil.StartOTLPServer(func(sig string, body []byte) error {
		s.Consume(signalOf[sig], body)
		return nil
	}, grpc.MaxRecvMsgSize(256<<20))
	if err != nil {
		return nil, err
	}
	s.srv, s.HTTPAddr, s.GRPCAddr = srv, srv.HTTPAddr, srv.GRPCAddr
	return s, nil
}

// Close stops both servers.
func (s *Sink) Close() { s.srv.Close() }

// Consume accounts one received export request (OTLP protobuf).
func (s *Sink) Consume(sig oauthgen.Signal, body []byte) {
	s.requests.Add(1)
	s.bytes.Add(int64(len(body)))
	n := CountRecords(sig, body)
	switch sig {
	case oauthgen.Traces:
		s.spans.Add(int64(n))
	case oauthgen.Logs:
		s.logs.Add(int64(n))
	default:
		s.points.Add(int64(n))
	}
	leaks := bytes.Count(body, []byte(oauthgen.Marker))
	hasFindings := sig != oauthgen.Metrics && bytes.Contains(body, findingsKey)
	if leaks == 0 && !hasFindings {
		return
	}
	s.leaks.Add(int64(leaks))
	s.mu.Lock()
	defer s.mu.Unlock()
	diagnose := leaks > 0 && s.diagnosed < 200
	if diagnose {
		s.diagnosed++
	}
	switch sig {
	case oauthgen.Traces:
		req := ptraceotlp.NewExportRequest()
		if req.UnmarshalProto(body) != nil {
			return
		}
		if hasFindings {
			s.scorer.Traces(req.Traces())
		}
		if diagnose {
			s.whereTraces(req.Traces())
		}
	case oauthgen.Logs:
		req := plogotlp.NewExportRequest()
		if req.UnmarshalProto(body) != nil {
			return
		}
		if hasFindings {
			s.scorer.Logs(req.Logs())
		}
		if diagnose {
			s.whereLogs(req.Logs())
		}
	default:
		req := pmetricotlp.NewExportRequest()
		if diagnose && req.UnmarshalProto(body) == nil {
			s.whereMetrics(req.Metrics())
		}
	}
}

// ConsumeScrape scans a Prometheus scrape for leaks.
func (s *Sink) ConsumeScrape(body []byte) int {
	n := bytes.Count(body, []byte(oauthgen.Marker))
	if n > 0 {
		s.leaks.Add(int64(n))
		s.mu.Lock()
		s.leakWhere["prometheus scrape"] += n
		s.mu.Unlock()
	}
	return n
}

// Counts is what the sink received.
type Counts struct {
	Spans, Logs, DataPoints, Requests, Bytes, Leaks int64
}

// Records is spans + log records + data points.
func (c Counts) Records() int64 { return c.Spans + c.Logs + c.DataPoints }

// Counts returns the counters so far.
func (s *Sink) Counts() Counts {
	return Counts{Spans: s.spans.Load(), Logs: s.logs.Load(), DataPoints: s.points.Load(),
		Requests: s.requests.Load(), Bytes: s.bytes.Load(), Leaks: s.leaks.Load()}
}

// Score scores the collected findings against the attacks.
func (s *Sink) Score(attacks *scenario.Scenario) scenario.Score {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scorer.Score(attacks)
}
