//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// lokiKey identifies a log record in Loki: its timestamp and the trace and
// span ids Loki keeps as structured metadata (the generator gives every
// record its own timestamp).
func lokiKey(ts int64, traceID, spanID string) string {
	return fmt.Sprintf("%d/%s/%s", ts, traceID, spanID)
}

func lokiKeys(ld plog.Logs) []string {
	var out []string
	for _, lr := range testutil.LogRecordsOf(ld) {
		ts := lr.Timestamp()
		if ts == 0 {
			ts = lr.ObservedTimestamp()
		}
		out = append(out, lokiKey(int64(ts), lr.TraceID().String(), lr.SpanID().String()))
	}
	return out
}

// lokiSource hands the sender the generator's log requests only, keeping
// the Loki identity of every record.
type lokiSource struct {
	g    *oauthgen.Generator
	want map[string]int
	n    int
	mu   chan struct{}
}

func (s *lokiSource) Next() (oauthgen.Payload, bool) {
	for range 1000 {
		r, ok := s.g.Next()
		if !ok {
			return oauthgen.Payload{}, false
		}
		if r.Signal != oauthgen.Logs {
			continue
		}
		s.mu <- struct{}{}
		for _, k := range lokiKeys(r.Logs) {
			s.want[k]++
			s.n++
		}
		<-s.mu
		p, err := oauthgen.Marshal(r)
		return p, err == nil
	}
	return oauthgen.Payload{}, false
}

// lokiAll reads every entry of every stream between start and end, paging
// forward 5,000 at a time (Loki's default max_entries_limit_per_query).
func lokiAll(base string, start, end time.Time) (map[string]int, int, error) {
	const limit = 5000
	got := map[string]int{}
	total := 0
	from := start.UnixNano()
	for page := 0; page < 200; page++ {
		params := url.Values{
			"query": {`{service_name=~".+"}`}, "limit": {strconv.Itoa(limit)}, "direction": {"forward"},
			"start": {strconv.FormatInt(from, 10)}, "end": {strconv.FormatInt(end.UnixNano(), 10)},
		}
		resp, err := http.Get(base + "/loki/api/v1/query_range?" + params.Encode())
		if err != nil {
			return nil, 0, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, 0, fmt.Errorf("loki %s: %.300s", resp.Status, body)
		}
		var r struct {
			Data struct {
				Result []struct {
					Stream map[string]string `json:"stream"`
					Values [][2]string       `json:"values"`
				} `json:"result"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, 0, err
		}
		type entry struct {
			ts  int64
			key string
		}
		var entries []entry
		var last int64
		for _, s := range r.Data.Result {
			for _, v := range s.Values {
				ts, _ := strconv.ParseInt(v[0], 10, 64)
				entries = append(entries, entry{ts, lokiKey(ts, s.Stream["trace_id"], s.Stream["span_id"])})
				last = max(last, ts)
			}
		}
		full := len(entries) >= limit
		for _, e := range entries {
			// A full page may end inside a group of equal timestamps: that
			// group is read again from the next page.
			if full && e.ts == last {
				continue
			}
			got[e.key]++
			total++
		}
		if !full {
			return got, total, nil
		}
		from = last
	}
	return nil, 0, fmt.Errorf("more than 200 pages")
}

// Loki is down for 60 s while the load generator sends logs through the
// shipped gateway config. The otlp_http/loki exporter's persistent sending
// queue (file_storage) holds them, and once Loki is back every record
// arrives: counted by ground truth, entry by entry, over LogQL.
//
// Duplicates would be records the exporter sent again after Loki had
// stored them without the exporter learning it (an answer lost in the
// outage): the queue only removes a batch once Loki acknowledged it.
func TestLokiOutagePersistentQueue(t *testing.T) {
	const (
		rate   = 200 // log records per second
		before = 10 * time.Second
		outage = 60 * time.Second
		after  = 10 * time.Second
	)
	loki := testutil.StartLoki(t, "make test-faults")
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "deploy", "gateway.yaml"))
	require.NoError(t, err)
	cfg, ports := onFreePorts(t, string(raw))
	// The generator's sender speaks plaintext gRPC: the receiver's TLS goes.
	// The exporter, its queue and storage are the shipped ones.
	tlsBlock := regexp.MustCompile(`(?m)^        tls:\n(?:^          .*\n)+`)
	require.Len(t, tlsBlock.FindAllString(cfg, -1), 1, "gateway.yaml: expected one tls block, on the OTLP receiver")
	cfg = tlsBlock.ReplaceAllString(cfg, "")
	require.Contains(t, cfg, "storage: file_storage/queue", "the Loki exporter no longer has a persistent queue")
	storage := t.TempDir()
	gw := testutil.Start(t, testutil.WriteConfig(t, cfg),
		"OTELCOL_OAUTH_HOST=127.0.0.1",
		"OTELCOL_OAUTH_STORAGE_DIR="+storage,
		"OTELCOL_OAUTH_LOKI_ENDPOINT="+loki.URL+"/otlp")
	gw.WaitHealthy(fmt.Sprintf("http://127.0.0.1:%d/", ports["13133"]), 60*time.Second)
	ownMetrics := fmt.Sprintf("http://127.0.0.1:%d/metrics", ports["8888"])

	testStart := time.Now()
	// Logs are about 7% of the generator's records: its clock runs at the
	// rate of all records so that timestamps follow real time.
	src := &lokiSource{
		g:    oauthgen.New(oauthgen.Config{Seed: 11, AttackRate: -1, MetricsEvery: -1, Rate: rate / 0.07, Records: 1 << 22}),
		want: map[string]int{}, mu: make(chan struct{}, 1),
	}
	sender, err := oauthgen.NewSender(oauthgen.SenderConfig{
		Endpoint: fmt.Sprintf("127.0.0.1:%d", ports["4317"]), Rate: rate, Duration: before + outage + after,
	})
	require.NoError(t, err)
	defer sender.Close()
	statsCh := make(chan oauthgen.Stats, 1)
	go func() { statsCh <- sender.Run(context.Background(), src) }()

	time.Sleep(before)
	loki.Stop()
	down := time.Now()
	time.Sleep(outage)
	failedDuring := scrape(ownMetrics, "otelcol_exporter_send_failed_log_records", "exporter", "otlp_http/loki")
	queued := scrape(ownMetrics, "otelcol_exporter_queue_size", "exporter", "otlp_http/loki")
	loki.Start()
	t.Logf("loki: down for %.1fs (until ready again); meanwhile the exporter gave up on %v records (it retries without end) and its persistent queue held %v requests", time.Since(down).Seconds(), failedDuring, queued)

	var st oauthgen.Stats
	select {
	case st = <-statsCh:
	case <-time.After(after + 60*time.Second):
		t.Fatal("the sender did not finish")
	}
	require.Zero(t, st.Failed, "the gateway refused records for good: %s", st.LastError)
	src.mu <- struct{}{}
	want, sent := src.want, src.n
	<-src.mu

	// Wait for the queue to drain into Loki: at most 150 s.
	back := time.Now()
	var got map[string]int
	var total, lost, dup, unexpected int
	for i := 0; i < 75; i++ {
		got, total, err = lokiAll(loki.URL, testStart.Add(-time.Hour), time.Now().Add(time.Hour))
		if err == nil {
			lost, dup, unexpected = compare(want, got)
			if lost == 0 {
				break
			}
		}
		require.False(t, gw.Exited(), "the gateway died")
		time.Sleep(2 * time.Second)
	}
	require.NoError(t, err)
	drain := time.Since(back)
	sentByExporter := scrape(ownMetrics, "otelcol_exporter_sent_log_records", "exporter", "otlp_http/loki")
	t.Logf("loki: %d records sent by the generator (%d accepted, %d client retries), %d entries in Loki, lost %d, duplicates %d, unexpected %d; exporter sent %v; all in Loki %.1fs after Loki was back",
		sent, st.Accepted, st.Retries, total, lost, dup, unexpected, sentByExporter, drain.Seconds())
	if dup > 0 {
		t.Logf("loki: %d duplicates: batches Loki stored whose acknowledgement the exporter never got, sent again from the persistent queue", dup)
	} else {
		t.Logf("loki: no duplicates: the exporter only retries what Loki refused (connection refused while down), and a batch leaves the queue once acknowledged")
	}
	assert.Equal(t, int64(sent), st.Accepted, "the gateway acknowledged every record")
	assert.Zero(t, lost, "records lost across the Loki outage")
	assert.Zero(t, unexpected, "entries in Loki the generator never sent")
	require.NoError(t, gw.Stop(30*time.Second))
	assert.NotContains(t, gw.Output(), "panic")
}
