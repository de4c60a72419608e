// Package bench is the testbed harness: it runs the collector binary as a
// child process on benchmark pipelines, feeds it the generator's traffic,
// receives everything it exports in an in-process OTLP sink, and reports
// CPU, RSS, record counts, leaks and detection accuracy.
package bench // import "github.com/otelcol-oauth/otelcol-oauth/testbed/bench"

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
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

	httpSrv *http.Server
	grpcSrv *grpc.Server
	// HTTPAddr and GRPCAddr are the listening addresses (127.0.0.1:port).
	HTTPAddr, GRPCAddr string
}

var findingsKey = []byte(contract.AttrSecurityFindings)

// NewSink starts a sink on loopback ports.
func NewSink() (*Sink, error) {
	s := &Sink{scorer: scenario.NewScorer(), leakWhere: map[string]int{}}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		hl.Close()
		return nil, err
	}
	s.HTTPAddr, s.GRPCAddr = hl.Addr().String(), gl.Addr().String()
	mux := http.NewServeMux()
	for path, sig := range map[string]oauthgen.Signal{"/v1/traces": oauthgen.Traces, "/v1/logs": oauthgen.Logs, "/v1/metrics": oauthgen.Metrics} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			var rd io.Reader = r.Body
			if r.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(r.Body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				rd = zr
			}
			body, err := io.ReadAll(rd)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s.Consume(sig, body)
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusOK)
		})
	}
	s.httpSrv = &http.Server{Handler: mux}
	go func() { _ = s.httpSrv.Serve(hl) }()
	s.grpcSrv = grpc.NewServer(grpc.MaxRecvMsgSize(256 << 20))
	ptraceotlp.RegisterGRPCServer(s.grpcSrv, &grpcTraces{s: s})
	plogotlp.RegisterGRPCServer(s.grpcSrv, &grpcLogs{s: s})
	pmetricotlp.RegisterGRPCServer(s.grpcSrv, &grpcMetrics{s: s})
	go func() { _ = s.grpcSrv.Serve(gl) }()
	return s, nil
}

// Close stops both servers.
func (s *Sink) Close() {
	_ = s.httpSrv.Shutdown(context.Background())
	s.grpcSrv.Stop()
}

type grpcTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	s *Sink
}

func (g *grpcTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	b, err := req.MarshalProto()
	if err == nil {
		g.s.Consume(oauthgen.Traces, b)
	}
	return ptraceotlp.NewExportResponse(), err
}

type grpcLogs struct {
	plogotlp.UnimplementedGRPCServer
	s *Sink
}

func (g *grpcLogs) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	b, err := req.MarshalProto()
	if err == nil {
		g.s.Consume(oauthgen.Logs, b)
	}
	return plogotlp.NewExportResponse(), err
}

type grpcMetrics struct {
	pmetricotlp.UnimplementedGRPCServer
	s *Sink
}

func (g *grpcMetrics) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	b, err := req.MarshalProto()
	if err == nil {
		g.s.Consume(oauthgen.Metrics, b)
	}
	return pmetricotlp.NewExportResponse(), err
}

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

// LeakPositions names where leaked secrets were found (keys and positions
// only, never values), most frequent first.
func (s *Sink) LeakPositions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	type kv struct {
		k string
		n int
	}
	var l []kv
	for k, n := range s.leakWhere {
		l = append(l, kv{k, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].k < l[j].k })
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprintf("%s (%d)", e.k, e.n))
	}
	return out
}

func has(s string) bool { return bytes.Contains([]byte(s), []byte(oauthgen.Marker)) }

func (s *Sink) whereValue(pos string, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if has(v.Str()) {
			s.leakWhere[pos]++
		}
	case pcommon.ValueTypeMap:
		s.whereMap(pos, v.Map())
	case pcommon.ValueTypeSlice:
		for i := 0; i < v.Slice().Len(); i++ {
			s.whereValue(pos+"[]", v.Slice().At(i))
		}
	}
}

func (s *Sink) whereMap(pos string, m pcommon.Map) {
	m.Range(func(k string, v pcommon.Value) bool {
		s.whereValue(pos+"."+k, v)
		return true
	})
}

func (s *Sink) whereTraces(td ptrace.Traces) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		s.whereMap("resource", rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			s.whereMap("scope", ss.Scope().Attributes())
			for k := 0; k < ss.Spans().Len(); k++ {
				sp := ss.Spans().At(k)
				if has(sp.Name()) {
					s.leakWhere["span name"]++
				}
				if has(sp.Status().Message()) {
					s.leakWhere["span status message"]++
				}
				s.whereMap("span", sp.Attributes())
				for e := 0; e < sp.Events().Len(); e++ {
					if has(sp.Events().At(e).Name()) {
						s.leakWhere["span event name"]++
					}
					s.whereMap("span event", sp.Events().At(e).Attributes())
				}
				for l := 0; l < sp.Links().Len(); l++ {
					s.whereMap("span link", sp.Links().At(l).Attributes())
				}
			}
		}
	}
}

func (s *Sink) whereLogs(ld plog.Logs) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		s.whereMap("resource", rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			sl := rl.ScopeLogs().At(j)
			s.whereMap("scope", sl.Scope().Attributes())
			for k := 0; k < sl.LogRecords().Len(); k++ {
				lr := sl.LogRecords().At(k)
				s.whereMap("log", lr.Attributes())
				s.whereValue("log body", lr.Body())
			}
		}
	}
}

func (s *Sink) whereMetrics(md pmetric.Metrics) {
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		rm := md.ResourceMetrics().At(i)
		s.whereMap("resource", rm.Resource().Attributes())
		for j := 0; j < rm.ScopeMetrics().Len(); j++ {
			ms := rm.ScopeMetrics().At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for d := 0; d < m.Sum().DataPoints().Len(); d++ {
						dp := m.Sum().DataPoints().At(d)
						s.whereMap("data point", dp.Attributes())
						for e := 0; e < dp.Exemplars().Len(); e++ {
							s.whereMap("exemplar", dp.Exemplars().At(e).FilteredAttributes())
						}
					}
				case pmetric.MetricTypeHistogram:
					for d := 0; d < m.Histogram().DataPoints().Len(); d++ {
						dp := m.Histogram().DataPoints().At(d)
						s.whereMap("data point", dp.Attributes())
						for e := 0; e < dp.Exemplars().Len(); e++ {
							s.whereMap("exemplar", dp.Exemplars().At(e).FilteredAttributes())
						}
					}
				}
			}
		}
	}
}

// CountRecords counts spans, log records or data points in an OTLP export
// request without decoding it into pdata: resource → scope → item, and for
// metrics metric → data points.
func CountRecords(sig oauthgen.Signal, body []byte) int {
	n := 0
	eachField(body, 1, func(res []byte) { // resource_spans / resource_logs / resource_metrics
		eachField(res, 2, func(scope []byte) { // scope_spans / scope_logs / scope_metrics
			if sig != oauthgen.Metrics {
				eachField(scope, 2, func([]byte) { n++ }) // spans / log_records
				return
			}
			eachField(scope, 2, func(metric []byte) {
				// gauge 5, sum 7, histogram 9, exponential_histogram 10, summary 11;
				// each holds its data_points in field 1.
				for _, f := range []protowire.Number{5, 7, 9, 10, 11} {
					eachField(metric, f, func(data []byte) {
						eachField(data, 1, func([]byte) { n++ })
					})
				}
			})
		})
	})
	return n
}

// eachField calls f with the bytes of every length-delimited field num.
func eachField(b []byte, num protowire.Number, f func([]byte)) {
	for len(b) > 0 {
		n, t, l := protowire.ConsumeTag(b)
		if l < 0 {
			return
		}
		b = b[l:]
		if t == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return
			}
			if n == num {
				f(v)
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(n, t, b)
		if m < 0 {
			return
		}
		b = b[m:]
	}
}
