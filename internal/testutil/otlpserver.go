package testutil

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	// The collector's OTLP gRPC exporters compress with gzip by default.
	_ "google.golang.org/grpc/encoding/gzip"
)

// The OTLP signals, as the last element of their OTLP/HTTP path.
const (
	SignalTraces  = "traces"
	SignalLogs    = "logs"
	SignalMetrics = "metrics"
)

// OTLPHandler receives one export request: its signal and its protobuf body
// (gzip already undone). An error refuses the request.
type OTLPHandler func(signal string, body []byte) error

// OTLPServer serves OTLP/gRPC and OTLP/HTTP (protobuf) on 127.0.0.1 and
// hands every export request to one handler. It is the transport under the
// tests' OTLPSink and the testbed's counting sink.
type OTLPServer struct {
	// GRPCAddr and HTTPAddr are the listening addresses (127.0.0.1:port).
	GRPCAddr, HTTPAddr string
	grpcSrv            *grpc.Server
	httpSrv            *http.Server
}

// StartOTLPServer starts both listeners; opts configure the gRPC server
// (TLS, message size).
func StartOTLPServer(handle OTLPHandler, opts ...grpc.ServerOption) (*OTLPServer, error) {
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		gl.Close()
		return nil, err
	}
	s := &OTLPServer{GRPCAddr: gl.Addr().String(), HTTPAddr: hl.Addr().String()}
	s.grpcSrv = grpc.NewServer(opts...)
	ptraceotlp.RegisterGRPCServer(s.grpcSrv, &grpcTraces{handle: handle})
	plogotlp.RegisterGRPCServer(s.grpcSrv, &grpcLogs{handle: handle})
	pmetricotlp.RegisterGRPCServer(s.grpcSrv, &grpcMetrics{handle: handle})
	go func() { _ = s.grpcSrv.Serve(gl) }()

	mux := http.NewServeMux()
	for _, sig := range []string{SignalTraces, SignalLogs, SignalMetrics} {
		mux.HandleFunc("/v1/"+sig, func(w http.ResponseWriter, r *http.Request) {
			body, err := readBody(r)
			if err == nil {
				err = handle(sig, body)
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			// An empty ExportResponse, whatever the signal, is zero bytes.
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusOK)
		})
	}
	s.httpSrv = &http.Server{Handler: mux}
	go func() { _ = s.httpSrv.Serve(hl) }()
	return s, nil
}

// Close stops both servers.
func (s *OTLPServer) Close() {
	s.grpcSrv.Stop()
	_ = s.httpSrv.Close()
}

// readBody reads a request body, gunzipping it when it says so.
func readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		rd = zr
	}
	return io.ReadAll(rd)
}

// The gRPC services marshal the decoded request back to protobuf, so that
// the handler sees one form whichever transport carried it.

type grpcTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	handle OTLPHandler
}

func (g grpcTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), handleProto(g.handle, SignalTraces, req.MarshalProto)
}

type grpcLogs struct {
	plogotlp.UnimplementedGRPCServer
	handle OTLPHandler
}

func (g grpcLogs) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	return plogotlp.NewExportResponse(), handleProto(g.handle, SignalLogs, req.MarshalProto)
}

type grpcMetrics struct {
	pmetricotlp.UnimplementedGRPCServer
	handle OTLPHandler
}

func (g grpcMetrics) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	return pmetricotlp.NewExportResponse(), handleProto(g.handle, SignalMetrics, req.MarshalProto)
}

func handleProto(handle OTLPHandler, signal string, marshal func() ([]byte, error)) error {
	body, err := marshal()
	if err != nil {
		return err
	}
	return handle(signal, body)
}
