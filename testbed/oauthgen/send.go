package oauthgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
)

// Payload is one marshalled OTLP export request (protobuf).
type Payload struct {
	Signal  Signal
	Body    []byte
	Records int
}

// Marshal turns a request into its OTLP protobuf payload.
func Marshal(r Request) (Payload, error) {
	var b []byte
	var err error
	switch r.Signal {
	case Traces:
		b, err = ptraceotlp.NewExportRequestFromTraces(r.Traces).MarshalProto()
	case Logs:
		b, err = plogotlp.NewExportRequestFromLogs(r.Logs).MarshalProto()
	default:
		b, err = pmetricotlp.NewExportRequestFromMetrics(r.Metrics).MarshalProto()
	}
	return Payload{Signal: r.Signal, Body: b, Records: r.Records}, err
}

// Source yields payloads in order.
type Source interface {
	Next() (Payload, bool)
}

// SliceSource replays marshalled payloads.
type SliceSource struct {
	Payloads []Payload
	i        int
}

// Next implements Source.
func (s *SliceSource) Next() (Payload, bool) {
	if s.i >= len(s.Payloads) {
		return Payload{}, false
	}
	s.i++
	return s.Payloads[s.i-1], true
}

// GeneratorSource marshals a generator's requests as they are needed, so
// its ground truth covers exactly what was handed to the sender.
type GeneratorSource struct{ G *Generator }

// Next implements Source.
func (s GeneratorSource) Next() (Payload, bool) {
	r, ok := s.G.Next()
	if !ok {
		return Payload{}, false
	}
	p, err := Marshal(r)
	if err != nil {
		return Payload{}, false
	}
	return p, true
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	// Endpoint is host:port of the collector's OTLP receiver.
	Endpoint string
	// Protocol is "grpc" (default) or "http".
	Protocol string
	// Rate in records per second; 0 sends as fast as the collector accepts.
	Rate float64
	// Duration stops sending after this long (0: until the source ends).
	Duration time.Duration
	// Workers send concurrently (default 1, which keeps the records in order:
	// detection depends on order, so keep 1 for accuracy runs).
	Workers int
	// MaxRetries per request on retryable errors (default 30), with
	// exponential backoff from 5ms to 1s.
	MaxRetries int
	// Timeout per attempt (default 10s).
	Timeout time.Duration
}

// Stats counts what a Sender did. Records are spans, log records and data
// points.
type Stats struct {
	Requests int64 `json:"requests"`
	// Sent counts records handed to the collector (once per record, however
	// many attempts).
	Sent int64 `json:"sent"`
	// Accepted counts records the collector acknowledged (minus partial
	// rejections).
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected_partial"`
	// Failed counts records given up after a permanent error or the retries.
	Failed    int64         `json:"failed"`
	Retries   int64         `json:"retries"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	LastError string        `json:"last_error,omitempty"`
}

// Rate is the accepted records per second.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Accepted) / s.Elapsed.Seconds()
}

// Sender sends payloads to a collector.
type Sender struct {
	cfg  SenderConfig
	conn *grpc.ClientConn
	http *http.Client

	requests, sent, accepted, rejected, failed, retries atomic.Int64
	mu                                                  sync.Mutex
	lastErr                                             string
}

// NewSender connects (lazily) to the endpoint.
func NewSender(cfg SenderConfig) (*Sender, error) {
	if cfg.Protocol == "" {
		cfg.Protocol = "grpc"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 30
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	s := &Sender{cfg: cfg}
	switch cfg.Protocol {
	case "grpc":
		conn, err := grpc.NewClient(cfg.Endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
		if err != nil {
			return nil, err
		}
		s.conn = conn
	case "http":
		s.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers + 1}}
	default:
		return nil, fmt.Errorf("protocol %q: want grpc or http", cfg.Protocol)
	}
	return s, nil
}

// Close releases the connection.
func (s *Sender) Close() error {
	if s.conn != nil {
		return s.conn.Close()
	}
	return nil
}

// Stats returns the counters so far.
func (s *Sender) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Requests: s.requests.Load(), Sent: s.sent.Load(), Accepted: s.accepted.Load(),
		Rejected: s.rejected.Load(), Failed: s.failed.Load(), Retries: s.retries.Load(), LastError: s.lastErr}
}

// Run sends the source's payloads until it ends, Duration passes or ctx is
// done, and returns the counters.
func (s *Sender) Run(ctx context.Context, src Source) Stats {
	start := time.Now()
	var deadline time.Time
	if s.cfg.Duration > 0 {
		deadline = start.Add(s.cfg.Duration)
	}
	work := make(chan Payload, s.cfg.Workers)
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() {
			for p := range work {
				s.send(ctx, p)
			}
		})
	}
	var planned int64
	for ctx.Err() == nil {
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			break
		}
		p, ok := src.Next()
		if !ok {
			break
		}
		if s.cfg.Rate > 0 {
			due := start.Add(time.Duration(float64(planned) / s.cfg.Rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
				}
			}
		}
		planned += int64(p.Records)
		select {
		case work <- p:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	st := s.Stats()
	st.Elapsed = time.Since(start)
	return st
}

var grpcMethods = map[Signal]string{
	Traces:  "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
	Logs:    "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
	Metrics: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
}

var httpPaths = map[Signal]string{Traces: "/v1/traces", Logs: "/v1/logs", Metrics: "/v1/metrics"}

// errRetryable marks an error worth another attempt; after is a server hint.
type errRetryable struct {
	err   error
	after time.Duration
}

func (e errRetryable) Error() string { return e.err.Error() }

func (s *Sender) send(ctx context.Context, p Payload) {
	s.requests.Add(1)
	s.sent.Add(int64(p.Records))
	backoff := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		rejected, err := s.attempt(ctx, p)
		if err == nil {
			s.accepted.Add(int64(p.Records) - rejected)
			s.rejected.Add(rejected)
			return
		}
		s.mu.Lock()
		s.lastErr = err.Error()
		s.mu.Unlock()
		var re errRetryable
		if !errors.As(err, &re) || attempt >= s.cfg.MaxRetries || ctx.Err() != nil {
			s.failed.Add(int64(p.Records))
			return
		}
		s.retries.Add(1)
		wait := max(backoff, re.after)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		backoff = min(2*backoff, time.Second)
	}
}

// rawCodec passes marshalled protobuf bytes through gRPC unchanged.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(*v.(*[]byte))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*[]byte) = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

// attempt sends once and returns the partially rejected record count.
func (s *Sender) attempt(ctx context.Context, p Payload) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var reply []byte
	if s.conn != nil {
		body := p.Body
		err := s.conn.Invoke(ctx, grpcMethods[p.Signal], &body, &reply, grpc.ForceCodecV2(rawCodec{}))
		if err != nil {
			switch status.Code(err) {
			case codes.Unavailable, codes.ResourceExhausted, codes.Aborted, codes.DeadlineExceeded,
				codes.OutOfRange, codes.DataLoss, codes.Canceled:
				return 0, errRetryable{err: err}
			}
			return 0, err
		}
	} else {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.cfg.Endpoint+httpPaths[p.Signal], bytes.NewReader(p.Body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/x-protobuf")
		resp, err := s.http.Do(req)
		if err != nil {
			return 0, errRetryable{err: err}
		}
		reply, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			after, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			return 0, errRetryable{err: fmt.Errorf("HTTP %d", resp.StatusCode), after: time.Duration(after) * time.Second}
		default:
			return 0, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
	}
	return rejectedIn(p.Signal, reply), nil
}

// rejectedIn reads the partial success of an export response.
func rejectedIn(sig Signal, reply []byte) int64 {
	if len(reply) == 0 {
		return 0
	}
	switch sig {
	case Traces:
		r := ptraceotlp.NewExportResponse()
		if r.UnmarshalProto(reply) == nil {
			return r.PartialSuccess().RejectedSpans()
		}
	case Logs:
		r := plogotlp.NewExportResponse()
		if r.UnmarshalProto(reply) == nil {
			return r.PartialSuccess().RejectedLogRecords()
		}
	default:
		r := pmetricotlp.NewExportResponse()
		if r.UnmarshalProto(reply) == nil {
			return r.PartialSuccess().RejectedDataPoints()
		}
	}
	return 0
}

// Consumed is the number of payloads handed out so far.
func (s *SliceSource) Consumed() int { return s.i }
