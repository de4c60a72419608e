// Command oauthbench is the testbed harness run by `make bench`: the
// collector binary on the passthrough, full OAuth and upstream-only
// pipelines at fixed rates and at its max rate, plus the memory scenario;
// results go to testbed/results as Markdown and JSON. Everything runs on
// 127.0.0.1 and stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/otelcol-oauth/otelcol-oauth/testbed/bench"
)

func main() {
	bin := os.Getenv("OTELCOL_OAUTH_BIN")
	if bin == "" {
		bin = "bin/otelcol-oauth"
	}
	var (
		binFlag   = flag.String("bin", bin, "collector binary ($OTELCOL_OAUTH_BIN)")
		out       = flag.String("out", "testbed/results", "results directory")
		duration  = flag.Duration("duration", envDuration("BENCH_DURATION", 15*time.Second), "length of each fixed-rate run ($BENCH_DURATION)")
		rates     = flag.String("rates", envStr("BENCH_RATES", "10000,50000"), "fixed rates in records/s ($BENCH_RATES)")
		noMax     = flag.Bool("no-max", false, "skip the max-rate runs")
		noFixed   = flag.Bool("no-fixed", false, "skip the fixed-rate runs (-rates still sizes the traffic)")
		scenarios = flag.String("scenarios", envStr("BENCH_SCENARIOS", "passthrough,oauth,upstream"), "scenarios ($BENCH_SCENARIOS)")
		families  = flag.Int("families", envInt("BENCH_FAMILIES", 1_000_000), "token families of the memory scenario, 0 to skip ($BENCH_FAMILIES)")
		procs     = flag.Int("gomaxprocs", 1, "the collector's GOMAXPROCS")
		seed      = flag.Uint64("seed", 1, "generator seed")
		protocol  = flag.String("protocol", "grpc", "grpc or http towards the collector")
		noProfile = flag.Bool("no-profile", false, "skip the CPU profiles of the max runs")
		profFixed = flag.Bool("profile-fixed", false, "also profile the fixed-rate runs")
		rounds    = flag.Int("rounds", envInt("BENCH_ROUNDS", 3), "rounds of every run; ratios use the medians ($BENCH_ROUNDS)")
		maxInFl   = flag.Int("max-in-flight", 1, "requests in flight in the max runs (more than 1 may reorder records, which detection depends on)")
		traffic   = flag.String("traffic", "", "generated traffic: empty for the OAuth scenario, hydra for Ory Hydra's traces")
	)
	flag.Parse()
	var rs []float64
	for _, s := range strings.Split(*rates, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		r, err := strconv.ParseFloat(s, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "oauthbench: -rates:", err)
			os.Exit(2)
		}
		rs = append(rs, r)
	}
	abs, err := filepath.Abs(*binFlag)
	if err == nil {
		*binFlag = abs
	}
	if _, err := os.Stat(*binFlag); err != nil {
		fmt.Fprintf(os.Stderr, "oauthbench: collector binary: %v (run make build)\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
	rep, err := bench.Run(ctx, bench.Options{
		Bin: *binFlag, ResultsDir: *out, Duration: *duration, Rates: rs, Max: !*noMax, NoFixed: *noFixed,
		Scenarios: strings.Split(*scenarios, ","), Procs: *procs, Seed: *seed, Families: *families,
		Protocol: *protocol, MaxWorkers: *maxInFl, Profile: !*noProfile, ProfileFixed: *profFixed, Rounds: *rounds, Traffic: *traffic, Logf: logf,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "oauthbench:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "oauthbench: results in %s/RESULTS.md and results.json\n", *out)
	// Hard checks (not timings): our pipeline leaks nothing and drops nothing.
	bad := false
	for _, r := range rep.Runs {
		if r.Error != "" {
			fmt.Fprintf(os.Stderr, "oauthbench: %s %s: %s\n", r.Scenario, r.Mode, r.Error)
			bad = true
		}
		if r.Scenario == bench.Full && r.Leaks > 0 {
			fmt.Fprintf(os.Stderr, "oauthbench: %s %s: %d leaked secrets\n", r.Scenario, r.Mode, r.Leaks)
			bad = true
		}
		if r.Dropped != 0 || r.Sender.Failed != 0 {
			fmt.Fprintf(os.Stderr, "oauthbench: %s %s: %d records dropped, %d failed\n", r.Scenario, r.Mode, r.Dropped, r.Sender.Failed)
			bad = true
		}
	}
	if bad {
		os.Exit(1)
	}
}

func envStr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return v
	}
	return def
}
