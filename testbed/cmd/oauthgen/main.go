// Command oauthgen plays OAuth traffic with injected attacks against an OTLP
// endpoint (the otelcol-oauth collector) and writes the ground truth of what
// it sent: the findings the collector must raise and the metric values it
// must export. Deterministic for a seed. Only talks to the given endpoint.
//
//	go run ./testbed/cmd/oauthgen -endpoint 127.0.0.1:4317 -rate 200 -duration 60s -truth truth.json
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

func main() {
	var (
		endpoint   = flag.String("endpoint", "127.0.0.1:4317", "OTLP endpoint host:port (gRPC 4317, HTTP 4318)")
		protocol   = flag.String("protocol", "grpc", "grpc or http")
		seed       = flag.Uint64("seed", 1, "seed: the same seed sends the same traffic")
		users      = flag.Int("users", 2000, "users per scenario shard")
		attackRate = flag.Float64("attack-rate", 0.06, "injected attacks per user (cycling through the 12 variants)")
		records    = flag.Int("records", 0, "stop after this many scenario records (0: -shards decides)")
		shards     = flag.Int("shards", 0, "scenario shards to play (0: 1, or unbounded with -records or -duration)")
		batch      = flag.Int("batch", 500, "scenario records per request window")
		rate       = flag.Float64("rate", 1000, "records per second; 0 sends as fast as the collector accepts")
		planRate   = flag.Float64("plan-rate", 0, "rate the timestamps are planned for (default: -rate, or 50000 with -rate 0)")
		duration   = flag.Duration("duration", 0, "stop after this long (0: when the stream ends)")
		workers    = flag.Int("workers", 1, "concurrent requests (1 keeps records in order, which detection needs)")
		grace      = flag.Duration("grace", 10*time.Millisecond, "the collector's oauth_security reuse_grace_period")
		metrics    = flag.Int("metrics-every", 20, "one app-metrics request every N requests (negative: none)")
		truthPath  = flag.String("truth", "oauthgen-truth.json", "where to write the ground truth (JSON)")
		saveDir    = flag.String("save", "", "also write every request (OTLP protobuf) into this directory")
		quiet      = flag.Bool("quiet", false, "no progress lines")
		traffic    = flag.String("traffic", "", "empty: the OAuth scenario; hydra: Ory Hydra v2.3.0's traces (-attack-rate per flow, -batch at most spans per request)")
	)
	flag.Parse()
	if *shards == 0 && *records == 0 && *duration > 0 {
		*shards = -1
	}
	plan := *planRate
	if plan <= 0 {
		plan = *rate
		if plan <= 0 {
			plan = 50000
		}
	}
	cfg := oauthgen.Config{
		Seed: *seed, UsersPerShard: *users, AttackRate: *attackRate, Records: *records, Shards: max(*shards, 0),
		BatchSize: *batch, Rate: plan, GracePeriod: *grace, MetricsEvery: *metrics, Traffic: *traffic,
	}
	if *shards < 0 {
		cfg.Shards, cfg.Records = 0, 1<<62
	}
	gen := oauthgen.New(cfg)
	s, err := oauthgen.NewSender(oauthgen.SenderConfig{Endpoint: *endpoint, Protocol: *protocol, Rate: *rate, Duration: *duration, Workers: *workers})
	if err != nil {
		fmt.Fprintln(os.Stderr, "oauthgen:", err)
		os.Exit(2)
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var src oauthgen.Source = oauthgen.GeneratorSource{G: gen}
	if *saveDir != "" {
		if err := os.MkdirAll(*saveDir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "oauthgen:", err)
			os.Exit(2)
		}
		src = &saving{src: src, dir: *saveDir}
	}
	if !*quiet {
		go progress(ctx, s)
	}
	st := s.Run(ctx, src)
	tr := gen.Truth()
	if err := tr.WriteFile(*truthPath); err != nil {
		fmt.Fprintln(os.Stderr, "oauthgen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "oauthgen: %d requests, %d records sent, %d accepted, %d rejected, %d failed, %d retries in %s (%.0f records/s); %d attacks; ground truth in %s\n",
		st.Requests, st.Sent, st.Accepted, st.Rejected, st.Failed, st.Retries, st.Elapsed.Round(time.Millisecond), st.Rate(), len(tr.Attacks), *truthPath)
	if st.Failed > 0 {
		fmt.Fprintln(os.Stderr, "oauthgen: last error:", st.LastError)
		os.Exit(1)
	}
}

func progress(ctx context.Context, s *oauthgen.Sender) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st := s.Stats()
			fmt.Fprintf(os.Stderr, "oauthgen: %d records sent, %d accepted, %d failed\n", st.Sent, st.Accepted, st.Failed)
		}
	}
}

// saving writes each payload next to the ground truth.
type saving struct {
	src oauthgen.Source
	dir string
	n   int
}

func (s *saving) Next() (oauthgen.Payload, bool) {
	p, ok := s.src.Next()
	if ok {
		s.n++
		_ = os.WriteFile(filepath.Join(s.dir, fmt.Sprintf("%06d.%s.pb", s.n, p.Signal)), p.Body, 0o644)
	}
	return p, ok
}
