package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	scenario "github.com/otelcol-oauth/otelcol-oauth/internal/oauthscenario"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// Options of a testbed run.
type Options struct {
	Bin        string
	ResultsDir string
	// Duration of each fixed-rate run; the traffic is Rate × Duration
	// scenario records.
	Duration time.Duration
	// Rates are the fixed rates in records per second.
	Rates []float64
	// Max adds a run per scenario that sends the largest traffic set as fast
	// as the collector accepts.
	Max bool
	// NoFixed skips the fixed-rate runs (Rates still size the traffic).
	NoFixed bool
	// Rounds repeats every run; the ratios use the median of the rounds, so
	// that one run disturbed by the machine does not decide them.
	Rounds int
	// Scenarios to run (default passthrough, oauth, upstream).
	Scenarios []string
	// Procs is the collector's GOMAXPROCS (default 1).
	Procs int
	Seed  uint64
	// Families for the memory scenario (0: skip it).
	Families int
	Protocol string
	// MaxWorkers is the number of requests in flight in the max runs
	// (default 1: records stay in order, which detection needs).
	MaxWorkers int
	Grace      time.Duration
	// Profile takes a CPU profile of the oauth and upstream collectors
	// during their max runs and reports the top functions.
	Profile bool
	// ProfileFixed also profiles the fixed-rate runs.
	ProfileFixed bool
	Key          string
	// Traffic is the generator's traffic ("" the OAuth scenario,
	// oauthgen.TrafficHydra what an Ory Hydra sends).
	Traffic string
	Logf    func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Duration <= 0 {
		o.Duration = 15 * time.Second
	}
	if len(o.Rates) == 0 {
		o.Rates = []float64{10000, 50000}
	}
	if len(o.Scenarios) == 0 {
		o.Scenarios = []string{Passthrough, Full, Upstream}
	}
	if o.Procs == 0 {
		o.Procs = 1
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Protocol == "" {
		o.Protocol = "grpc"
	}
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = 1
	}
	if o.Rounds <= 0 {
		o.Rounds = 1
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Millisecond
	}
	if o.Key == "" {
		o.Key = "testbed-fingerprint-key-0123456789abcdef"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// RunResult is one collector run.
type RunResult struct {
	Scenario string  `json:"scenario"`
	Mode     string  `json:"mode"`
	Round    int     `json:"round"`
	Target   float64 `json:"target_records_per_s"`
	// Achieved is accepted records per second while sending.
	Achieved float64        `json:"achieved_records_per_s"`
	Sender   oauthgen.Stats `json:"sender"`
	// Complete is false when the run stopped before all its traffic was sent.
	Complete bool   `json:"complete"`
	Received Counts `json:"received"`
	// Dropped is accepted minus received records.
	Dropped      int64   `json:"dropped"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	CPUPercent   float64 `json:"cpu_percent_of_one_core"`
	CPUPerRecord float64 `json:"cpu_us_per_record"`
	WallSeconds  float64 `json:"wall_seconds"`
	RSSMeanMB    float64 `json:"rss_mean_mb"`
	RSSMaxMB     float64 `json:"rss_max_mb"`
	// Leaks counts occurrences of raw-secret material in everything exported
	// (OTLP and the Prometheus scrape).
	Leaks         int64    `json:"leaks"`
	LeakPositions []string `json:"leak_positions,omitempty"`
	// Accuracy against the ground truth of the records sent.
	Attacks    int      `json:"attacks"`
	TP         int      `json:"true_positives"`
	FP         int      `json:"false_positives"`
	FN         int      `json:"false_negatives"`
	Duplicates int      `json:"duplicates"`
	Precision  *float64 `json:"precision"`
	Recall     float64  `json:"recall"`
	Unexpected []string `json:"unexpected,omitempty"`
	// LoadAvg is /proc/loadavg at the end of the run; HarnessCPUPercent the
	// generator+sink process's CPU over the run (context for the figures).
	LoadAvg           string  `json:"loadavg_at_end"`
	IdleCPUPercent    float64 `json:"collector_idle_cpu_percent"`
	HarnessCPUPercent float64 `json:"harness_cpu_percent"`
	// Metrics compares the scraped counters with the expected values.
	MetricsChecked int `json:"metric_series_checked,omitempty"`
	// ProfileTop is the top of a CPU profile taken during the run.
	ProfileTop        []string `json:"cpu_profile_top,omitempty"`
	MetricsMismatched []string `json:"metric_mismatches,omitempty"`
	// SelfTelemetry is oauth_normalize's own metrics at the end of the run
	// (records mapped and unmapped, the join buffer).
	SelfTelemetry map[string]float64 `json:"self_telemetry,omitempty"`
	Error         string             `json:"error,omitempty"`
}

// MemoryResult is the memory scenario.
type MemoryResult struct {
	Families        int     `json:"families"`
	Accepted        int64   `json:"accepted"`
	Received        int64   `json:"received"`
	StateEntries    float64 `json:"oauth_security_state_entries"`
	Evictions       float64 `json:"oauth_security_evictions"`
	RSSBaselineMB   float64 `json:"rss_baseline_mb"`
	RSSAfterMB      float64 `json:"rss_after_mb"`
	RSSPeakMB       float64 `json:"rss_peak_mb"`
	HeapBeforeMB    float64 `json:"go_heap_alloc_before_mb"`
	HeapAfterMB     float64 `json:"go_heap_alloc_after_mb"`
	HeapPerFamily   float64 `json:"go_heap_bytes_per_family"`
	BytesPerFamily  float64 `json:"rss_bytes_per_family"`
	SendSeconds     float64 `json:"send_seconds"`
	Leaks           int64   `json:"leaks"`
	Error           string  `json:"error,omitempty"`
	CPUSeconds      float64 `json:"cpu_seconds"`
	AchievedPerSecs float64 `json:"achieved_records_per_s"`
}

// Report is everything a testbed run measured.
type Report struct {
	Started   time.Time         `json:"started"`
	Finished  time.Time         `json:"finished"`
	Host      map[string]string `json:"host"`
	Options   map[string]any    `json:"options"`
	Traffic   map[string]any    `json:"traffic"`
	Runs      []RunResult       `json:"runs"`
	Ratios    []Ratio           `json:"ratios"`
	Memory    *MemoryResult     `json:"memory,omitempty"`
	LeakTotal map[string]int64  `json:"leaks_by_scenario"`
}

// Ratio compares two scenarios at one mode.
type Ratio struct {
	Mode string `json:"mode"`
	What string `json:"what"`
	// CPU is the ratio of CPU seconds (same traffic, same rate).
	CPU float64 `json:"cpu_seconds_ratio"`
	// PerRecord is the ratio of CPU per record.
	PerRecord float64 `json:"cpu_per_record_ratio"`
	Goal      string  `json:"goal"`
	// PerRound is the per-record ratio within each round; CPU and
	// PerRecord are the medians of the per-round ratios.
	PerRound []float64 `json:"cpu_per_record_ratio_by_round,omitempty"`
}

// traffic is the pre-generated, pre-marshalled stream shared by all runs.
type traffic struct {
	payloads []oauthgen.Payload
	// cum[i] is the truth after payload i: records and attacks so far.
	cumRecords []int
	cumAttacks []int
	truth      *oauthgen.Truth
	// prefix truth snapshots (expected metrics) by payload count.
	snapshots map[int]*oauthgen.Truth
}

func generate(o *Options, records int, prefixes []int) (*traffic, error) {
	top := 0.0
	for _, r := range o.Rates {
		top = max(top, r)
	}
	g := oauthgen.New(oauthgen.Config{Seed: o.Seed, Records: records, Rate: top, GracePeriod: o.Grace, Start: time.Now(), Traffic: o.Traffic})
	tr := &traffic{snapshots: map[int]*oauthgen.Truth{}}
	total := 0
	next := 0
	sort.Ints(prefixes)
	for {
		r, ok := g.Next()
		if !ok {
			break
		}
		p, err := oauthgen.Marshal(r)
		if err != nil {
			return nil, err
		}
		tr.payloads = append(tr.payloads, p)
		total += p.Records
		tr.cumRecords = append(tr.cumRecords, total)
		// The truth matches the payloads so far only when the generator
		// holds no pending request; else carry the last exact count.
		if g.Pending() == 0 || len(tr.cumAttacks) == 0 {
			tr.cumAttacks = append(tr.cumAttacks, len(g.Truth().Attacks))
		} else {
			tr.cumAttacks = append(tr.cumAttacks, tr.cumAttacks[len(tr.cumAttacks)-1])
		}
		for next < len(prefixes) && g.Pending() == 0 && g.Truth().Spans+g.Truth().Logs >= prefixes[next] {
			tr.snapshots[len(tr.payloads)] = g.Truth().Clone()
			next++
		}
	}
	tr.truth = g.Truth()
	tr.snapshots[len(tr.payloads)] = tr.truth
	return tr, nil
}

// prefixFor returns the number of payloads holding at least n scenario
// records (spans and logs).
func (t *traffic) prefixFor(n int) int {
	best := len(t.payloads)
	for k, s := range t.snapshots {
		if s.Spans+s.Logs >= n && k < best {
			best = k
		}
	}
	return best
}

// Run runs the testbed and writes the report into o.ResultsDir.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	rep := &Report{Started: time.Now().UTC(), LeakTotal: map[string]int64{}}
	rep.Host = hostInfo(o.Bin)
	rep.Options = map[string]any{
		"duration_per_run": o.Duration.String(), "rates": o.Rates, "max": o.Max, "scenarios": o.Scenarios,
		"collector_gomaxprocs": o.Procs, "seed": o.Seed, "families": o.Families, "protocol": o.Protocol,
		"reuse_grace_period": o.Grace.String(), "max_run_requests_in_flight": o.MaxWorkers, "rounds": o.Rounds,
		"traffic": o.Traffic,
	}
	top := 0.0
	for _, r := range o.Rates {
		top = max(top, r)
	}
	var prefixes []int
	for _, r := range o.Rates {
		prefixes = append(prefixes, int(r*o.Duration.Seconds()))
	}
	genStart := time.Now()
	tr, err := generate(&o, int(top*o.Duration.Seconds()), prefixes)
	if err != nil {
		return nil, err
	}
	bytesTotal := 0
	for _, p := range tr.payloads {
		bytesTotal += len(p.Body)
	}
	o.Logf("generated %d requests, %d records (%d spans, %d logs, %d data points), %d attacks, %.0f MB in %s",
		len(tr.payloads), tr.truth.Records(), tr.truth.Spans, tr.truth.Logs, tr.truth.DataPoints, len(tr.truth.Attacks),
		float64(bytesTotal)/1e6, time.Since(genStart).Round(time.Millisecond))
	rep.Traffic = map[string]any{
		"requests": len(tr.payloads), "spans": tr.truth.Spans, "logs": tr.truth.Logs, "data_points": tr.truth.DataPoints,
		"attacks": len(tr.truth.Attacks), "attacks_without_finding": len(tr.truth.Unflagged), "bytes": bytesTotal, "shards": tr.truth.Shards,
		"raw_secrets_by_position": tr.truth.Secrets, "generation_seconds": time.Since(genStart).Seconds(),
	}
	if err := os.MkdirAll(o.ResultsDir, 0o755); err != nil {
		return nil, err
	}
	if err := tr.truth.WriteFile(filepath.Join(o.ResultsDir, "ground-truth.json")); err != nil {
		return nil, err
	}

	type mode struct {
		name   string
		rate   float64
		prefix int
	}
	var modes []mode
	for _, r := range o.Rates {
		if o.NoFixed {
			break
		}
		modes = append(modes, mode{fmt.Sprintf("%.0fk/s", r/1000), r, tr.prefixFor(int(r * o.Duration.Seconds()))})
	}
	if o.Max {
		name := "max"
		if o.MaxWorkers > 1 {
			name = fmt.Sprintf("max (%d in flight)", o.MaxWorkers)
		}
		modes = append(modes, mode{name, 0, len(tr.payloads)})
	}
	// Rounds run every mode and scenario in turn, so that the scenarios
	// compared share whatever the machine was doing at the time.
	for round := 1; round <= o.Rounds; round++ {
		for _, m := range modes {
			for _, sc := range o.Scenarios {
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				res := runOne(ctx, &o, tr, sc, m.name, m.rate, m.prefix, round)
				o.Logf("round %d  %-11s %-8s achieved %8.0f rec/s  cpu %6.1f%%  %.2f us/rec  rss %5.0f MB  recv %d/%d  leaks %d  TP %d FP %d FN %d %s",
					round, sc, m.name, res.Achieved, res.CPUPercent, res.CPUPerRecord, res.RSSMaxMB, res.Received.Records(), res.Sender.Accepted,
					res.Leaks, res.TP, res.FP, res.FN, res.Error)
				rep.Runs = append(rep.Runs, res)
				rep.LeakTotal[sc] += res.Leaks
			}
		}
	}
	rep.Ratios = ratios(rep.Runs)
	if o.Families > 0 && ctx.Err() == nil {
		m := runMemory(ctx, &o)
		o.Logf("memory: %d families, state entries %.0f, RSS %.0f MB -> %.0f MB (peak %.0f MB), %.0f bytes/family %s",
			m.Families, m.StateEntries, m.RSSBaselineMB, m.RSSAfterMB, m.RSSPeakMB, m.BytesPerFamily, m.Error)
		rep.Memory = &m
	}
	rep.Finished = time.Now().UTC()
	if err := writeReport(o.ResultsDir, rep); err != nil {
		return rep, err
	}
	return rep, nil
}

func ratios(runs []RunResult) []Ratio {
	type key struct{ mode, sc string }
	by := map[key][]RunResult{}
	var order []string
	for _, r := range runs {
		if !slices.Contains(order, r.Mode) {
			order = append(order, r.Mode)
		}
		by[key{r.Mode, r.Scenario}] = append(by[key{r.Mode, r.Scenario}], r)
	}
	var out []Ratio
	pair := func(mode, num, den, what, goal string) {
		n, d := by[key{mode, num}], by[key{mode, den}]
		if len(n) == 0 || len(d) == 0 {
			return
		}
		// Compare runs of the same round: they ran a minute apart, so the
		// ratio cancels most of what the machine did meanwhile; the median
		// of the rounds' ratios then drops a disturbed round.
		var cpu, perRecord []float64
		for _, a := range n {
			for _, b := range d {
				if a.Round == b.Round && a.Error == "" && b.Error == "" && a.CPUPerRecord > 0 && b.CPUPerRecord > 0 {
					cpu = append(cpu, div(a.CPUSeconds, b.CPUSeconds))
					perRecord = append(perRecord, div(a.CPUPerRecord, b.CPUPerRecord))
				}
			}
		}
		if len(perRecord) == 0 {
			return
		}
		out = append(out, Ratio{Mode: mode, What: what, Goal: goal,
			CPU: medianOf(cpu), PerRecord: medianOf(perRecord), PerRound: perRecord})
	}
	for _, m := range order {
		pair(m, Full, Passthrough, "full OAuth / passthrough", "<= 1.5")
		pair(m, Upstream, Full, "upstream-only / full OAuth", ">= 3")
	}
	return out
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// median of f over runs.
func median(runs []RunResult, f func(RunResult) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	return medianOf(v)
}

// medianOf is the middle value (the mean of the middle two for an even
// count).
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

func hostInfo(bin string) map[string]string {
	h := map[string]string{"go": runtime.Version(), "cpus": strconv.Itoa(runtime.NumCPU()), "collector": bin}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, v, _ := strings.Cut(l, ":")
				h["cpu_model"] = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		h["loadavg_at_start"] = strings.TrimSpace(string(b))
	}
	return h
}

// startRun starts a sink and the collector of one scenario.
func startRun(o *Options, sc string, maxEntries int) (*Sink, *testutil.Child, Ports, func(), error) {
	sink, err := NewSink()
	if err != nil {
		return nil, nil, Ports{}, nil, err
	}
	ps, err := testutil.FreePorts(6)
	if err != nil {
		sink.Close()
		return nil, nil, Ports{}, nil, err
	}
	p := Ports{GRPC: ps[0], HTTP: ps[1], Health: ps[2], Telemetry: ps[3], Sink: sink.HTTPAddr}
	if sc == Full || sc == Upstream {
		p.Prom = ps[4]
	}
	if o.Profile {
		// every scenario, so that the profiler's cost is in both sides of a
		// ratio
		p.Pprof = ps[5]
	}
	cfg, err := Config(sc, p, o.Grace, maxEntries)
	if err != nil {
		sink.Close()
		return nil, nil, p, nil, err
	}
	dir, err := os.MkdirTemp("", "oauthbench-")
	if err != nil {
		sink.Close()
		return nil, nil, p, nil, err
	}
	path, err := testutil.WriteConfigIn(dir, cfg)
	if err != nil {
		sink.Close()
		return nil, nil, p, nil, err
	}
	col, err := StartCollector(o.Bin, path, o.Key, o.Procs)
	cleanup := func() {
		if col != nil && !col.Exited() {
			_ = col.Terminate(15 * time.Second)
		}
		sink.Close()
		os.RemoveAll(dir)
	}
	if err != nil {
		cleanup()
		return nil, nil, p, nil, err
	}
	if err := waitHealthy(col, p.Health, 60*time.Second); err != nil {
		cleanup()
		return nil, nil, p, nil, err
	}
	return sink, col, p, cleanup, nil
}

// waitDrained waits until the sink has received want records, or nothing
// arrived for quiet, or timeout.
func waitDrained(sink *Sink, want int64, quiet, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	last, lastChange := sink.Counts().Records(), time.Now()
	for time.Now().Before(deadline) {
		n := sink.Counts().Records()
		if n >= want {
			return
		}
		if n != last {
			last, lastChange = n, time.Now()
		} else if time.Since(lastChange) > quiet {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runOne(ctx context.Context, o *Options, tr *traffic, sc, modeName string, rate float64, prefix, round int) RunResult {
	res := RunResult{Scenario: sc, Mode: modeName, Target: rate, Round: round}
	if round > 1 {
		// Profiling costs CPU: only the first round pays it (every scenario
		// alike), and the median of three rounds does not depend on it.
		oo := *o
		oo.Profile = false
		o = &oo
	}
	sink, col, ports, cleanup, err := startRun(o, sc, 4_000_000)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer cleanup()
	time.Sleep(500 * time.Millisecond)
	idle0, _ := testutil.ReadProc(col.PID())
	time.Sleep(2 * time.Second)
	if idle1, err := testutil.ReadProc(col.PID()); err == nil {
		res.IdleCPUPercent = 100 * (idle1.CPU - idle0.CPU).Seconds() / idle1.Taken.Sub(idle0.Taken).Seconds()
	}
	endpoint := fmt.Sprintf("127.0.0.1:%d", ports.GRPC)
	if o.Protocol == "http" {
		endpoint = fmt.Sprintf("127.0.0.1:%d", ports.HTTP)
	}
	cap := 2 * o.Duration
	if rate == 0 {
		cap = 4 * o.Duration
	}
	workers := 1
	if rate == 0 {
		workers = o.MaxWorkers
	}
	s, err := oauthgen.NewSender(oauthgen.SenderConfig{Endpoint: endpoint, Protocol: o.Protocol, Rate: rate, Duration: cap, Workers: workers})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer s.Close()
	src := &oauthgen.SliceSource{Payloads: tr.payloads[:prefix]}
	// With several requests in flight the source runs ahead of the sends
	// by at most the channel's capacity; all of it is sent in the end.
	before, _ := testutil.ReadProc(col.PID())
	selfBefore, _ := testutil.ReadProc(os.Getpid())
	sampler := StartSampler(col.PID(), 200*time.Millisecond)
	profDone := make(chan []string, 1)
	if ports.Pprof != 0 && (rate == 0 || o.ProfileFixed) {
		go func() { profDone <- profile(ports.Pprof, o, sc, modeName) }()
	} else {
		profDone <- nil
	}
	st := s.Run(ctx, src)
	sent := src.Consumed()
	res.Complete = sent == prefix
	quiet := 3 * time.Second
	if o.Traffic == oauthgen.TrafficHydra && sc == Full {
		// A run that sends a prefix of the traffic can leave a request's
		// root unsent: oauth_normalize's join buffer holds its children
		// for its wait (10 s by default), then passes them on.
		quiet = 13 * time.Second
	}
	waitDrained(sink, st.Accepted, quiet, 45*time.Second)
	after, _ := testutil.ReadProc(col.PID())
	selfAfter, _ := testutil.ReadProc(os.Getpid())
	mean, maxRSS := sampler.Stop()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvg = strings.TrimSpace(string(b))
	}
	res.Sender = st
	res.Achieved = st.Rate()
	res.Received = sink.Counts()
	res.Dropped = st.Accepted - res.Received.Records()
	res.CPUSeconds = (after.CPU - before.CPU).Seconds()
	res.WallSeconds = after.Taken.Sub(before.Taken).Seconds()
	res.CPUPercent = 100 * res.CPUSeconds / res.WallSeconds
	res.HarnessCPUPercent = 100 * (selfAfter.CPU - selfBefore.CPU).Seconds() / res.WallSeconds
	if st.Accepted > 0 {
		res.CPUPerRecord = res.CPUSeconds / float64(st.Accepted) * 1e6
	}
	res.RSSMeanMB, res.RSSMaxMB = float64(mean)/1e6, float64(maxRSS)/1e6

	// Ground truth of what was sent.
	var truth *oauthgen.Truth
	if snap, ok := tr.snapshots[sent]; ok {
		truth = snap
	}
	nAttacks := 0
	if sent > 0 {
		nAttacks = tr.cumAttacks[sent-1]
	}
	attacks := &scenario.Scenario{Attacks: tr.truth.ScenarioAttacks().Attacks[:nAttacks]}
	res.Attacks = nAttacks
	score := sink.Score(attacks)
	res.TP, res.FP, res.FN, res.Duplicates = score.TruePositives, score.FalsePositives, score.FalseNegatives, score.Duplicates
	if score.TruePositives+score.FalsePositives > 0 {
		p := score.Precision
		res.Precision = &p
	}
	res.Recall = score.Recall
	if len(score.Unexpected) > 0 && sc == Full {
		res.Unexpected = score.Unexpected
		if len(res.Unexpected) > 10 {
			res.Unexpected = res.Unexpected[:10]
		}
	}
	if ports.Prom != 0 {
		time.Sleep(2500 * time.Millisecond) // a flush of the metrics connector
		if body, err := testutil.HTTPGet(fmt.Sprintf("http://127.0.0.1:%d/metrics", ports.Prom)); err == nil {
			sink.ConsumeScrape(body)
			if truth != nil {
				res.MetricsChecked, res.MetricsMismatched = CompareMetrics(truth.ExpectedMetrics, body)
			}
		} else {
			res.Error = "scrape: " + err.Error()
		}
	}
	res.ProfileTop = <-profDone
	if sc == Full {
		if body, err := testutil.HTTPGet(fmt.Sprintf("http://127.0.0.1:%d/metrics", ports.Telemetry)); err == nil {
			res.SelfTelemetry = selfTelemetry(body)
		}
	}
	res.Leaks = sink.Counts().Leaks
	res.LeakPositions = sink.LeakPositions()
	if len(res.LeakPositions) > 25 {
		res.LeakPositions = res.LeakPositions[:25]
	}
	if col.Exited() {
		res.Error = strings.TrimSpace(res.Error + " collector exited during the run")
	}
	return res
}

// profile takes a CPU profile of the collector (a few seconds, from one
// second into the run) and returns the top functions by flat time.
func profile(port int, o *Options, sc, mode string) []string {
	time.Sleep(300 * time.Millisecond)
	secs := max(1, min(5, int(o.Duration.Seconds()/3)))
	body, err := testutil.HTTPGet(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", port, secs))
	if err != nil {
		return []string{"profile: " + err.Error()}
	}
	dir := filepath.Join(o.ResultsDir, "tmp")
	_ = os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, fmt.Sprintf("cpu-%s-%s.pprof", sc, strings.ReplaceAll(mode, "/", "")))
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return []string{"profile: " + err.Error()}
	}
	top := pprofTop(path, "-nodecount=10")
	// Component share: cumulative time of the pipeline components' own
	// functions.
	var comps []string
	for _, l := range pprofTop(path, "-cum", "-nodecount=80") {
		for _, k := range []string{"otelcol-oauth/processor/", "otelcol-oauth/connector/", "contrib/processor/",
			"contrib/connector/", "collector/processor/", "collector/exporter/otlphttpexporter", "collector/receiver/otlpreceiver"} {
			if strings.Contains(l, k) && len(comps) < 12 {
				comps = append(comps, l)
				break
			}
		}
	}
	if len(comps) > 0 {
		top = append(append(top, "", "cumulative, pipeline components:"), comps...)
	}
	return top
}

func pprofTop(path string, args ...string) []string {
	out, err := exec.Command("go", append(append([]string{"tool", "pprof", "-top"}, args...), path)...).Output()
	if err != nil {
		return []string{"pprof: " + err.Error()}
	}
	var top []string
	started := false
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "flat") {
			started = true
			continue
		}
		if started && strings.TrimSpace(l) != "" {
			top = append(top, strings.Join(strings.Fields(l), " "))
		}
	}
	return top
}

func runMemory(ctx context.Context, o *Options) MemoryResult {
	m := MemoryResult{Families: o.Families}
	sink, col, ports, cleanup, err := startRun(o, Memory, o.Families+o.Families/5+1000)
	if err != nil {
		m.Error = err.Error()
		return m
	}
	defer cleanup()
	time.Sleep(2 * time.Second)
	base, _ := testutil.ReadProc(col.PID())
	m.RSSBaselineMB = float64(base.RSS) / 1e6
	telemetry := fmt.Sprintf("http://127.0.0.1:%d/metrics", ports.Telemetry)
	if body, err := testutil.HTTPGet(telemetry); err == nil {
		m.HeapBeforeMB = scrapeValue(body, metricHeapAlloc) / 1e6
	}
	s, err := oauthgen.NewSender(oauthgen.SenderConfig{Endpoint: fmt.Sprintf("127.0.0.1:%d", ports.GRPC), Duration: 5 * time.Minute})
	if err != nil {
		m.Error = err.Error()
		return m
	}
	defer s.Close()
	st := s.Run(ctx, &oauthgen.FamilySource{Seed: o.Seed, N: o.Families, Batch: 1000})
	m.Accepted = st.Accepted
	m.SendSeconds = st.Elapsed.Seconds()
	m.AchievedPerSecs = st.Rate()
	waitDrained(sink, st.Accepted, 3*time.Second, 30*time.Second)
	m.Received = sink.Counts().Records()
	time.Sleep(3 * time.Second) // a GC cycle or two
	after, _ := testutil.ReadProc(col.PID())
	m.CPUSeconds = (after.CPU - base.CPU).Seconds()
	m.RSSAfterMB, m.RSSPeakMB = float64(after.RSS)/1e6, float64(after.Peak)/1e6
	if o.Families > 0 {
		m.BytesPerFamily = float64(after.RSS-base.RSS) / float64(o.Families)
	}
	if body, err := testutil.HTTPGet(telemetry); err == nil {
		m.StateEntries = scrapeValue(body, metricStateEntries)
		m.Evictions = scrapeValue(body, metricEvictions)
		m.HeapAfterMB = scrapeValue(body, metricHeapAlloc) / 1e6
		if o.Families > 0 {
			m.HeapPerFamily = (m.HeapAfterMB - m.HeapBeforeMB) * 1e6 / float64(o.Families)
		}
	}
	m.Leaks = sink.Counts().Leaks
	return m
}
