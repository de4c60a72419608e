//go:build faults

package faults

import (
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// onFreePorts moves every listener of a shipped deploy/ config to a free
// port (testutil.OnFreePortsDeploy).
func onFreePorts(t *testing.T, cfg string) (string, map[string]int) {
	t.Helper()
	return testutil.OnFreePortsDeploy(t, cfg)
}

// scrape sums the samples of the metric named exactly metric whose labels
// hold the pairs labels (name, value, ...) at a Prometheus endpoint; -1 when
// the endpoint does not answer or its exposition does not parse.
func scrape(url, metric string, labels ...string) float64 {
	samples, err := testutil.ScrapeMetrics(url)
	if err != nil {
		return -1
	}
	return testutil.SumSamples(samples, metric, labels...)
}

// assertNoSecret fails when text contains one of the secrets, naming where
// (line number and the secret's length) without printing text or the secret.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if i := strings.Index(text, s); i >= 0 {
			t.Errorf("%s: a raw secret (%d bytes, prefix %q) appears on line %d", what, len(s), s[:3], strings.Count(text[:i], "\n")+1)
		}
	}
}

// groundTruth wraps the load generator: it hands the sender only the
// requests of the wanted signals and keeps the identity of every span and
// log record it handed out (a multiset: the generator may repeat one).
type groundTruth struct {
	g     *oauthgen.Generator
	want  map[oauthgen.Signal]bool
	mu    sync.Mutex
	spans map[string]int
	logs  map[string]int
	n     int
}

func newGroundTruth(cfg oauthgen.Config, signals ...oauthgen.Signal) *groundTruth {
	gt := &groundTruth{g: oauthgen.New(cfg), want: map[oauthgen.Signal]bool{}, spans: map[string]int{}, logs: map[string]int{}}
	for _, s := range signals {
		gt.want[s] = true
	}
	return gt
}

// Next implements oauthgen.Source.
func (gt *groundTruth) Next() (oauthgen.Payload, bool) {
	for range 1000 {
		r, ok := gt.g.Next()
		if !ok {
			return oauthgen.Payload{}, false
		}
		if !gt.want[r.Signal] {
			continue
		}
		gt.mu.Lock()
		switch r.Signal {
		case oauthgen.Traces:
			for _, k := range spanKeys(r.Traces) {
				gt.spans[k]++
				gt.n++
			}
		case oauthgen.Logs:
			for _, k := range logKeys(r.Logs) {
				gt.logs[k]++
				gt.n++
			}
		}
		gt.mu.Unlock()
		p, err := oauthgen.Marshal(r)
		if err != nil {
			return oauthgen.Payload{}, false
		}
		return p, true
	}
	return oauthgen.Payload{}, false
}

// records is the number of records handed out.
func (gt *groundTruth) records() int {
	gt.mu.Lock()
	defer gt.mu.Unlock()
	return gt.n
}

func spanKey(sp ptrace.Span) string {
	return sp.TraceID().String() + "/" + sp.SpanID().String() + "/" + sp.StartTimestamp().String()
}

func spanKeys(td ptrace.Traces) []string {
	var out []string
	for _, sp := range testutil.SpansOf(td) {
		out = append(out, spanKey(sp))
	}
	return out
}

// logKey identifies a log record by what redaction leaves alone.
func logKey(lr plog.LogRecord) string {
	return lr.Timestamp().String() + "/" + lr.TraceID().String() + "/" + lr.SpanID().String() + "/" + lr.SeverityText()
}

func logKeys(ld plog.Logs) []string {
	var out []string
	for _, lr := range testutil.LogRecordsOf(ld) {
		out = append(out, logKey(lr))
	}
	return out
}

// compare counts what of want never arrived (lost) and what arrived more
// often than it was sent (duplicates); unexpected counts arrivals that were
// never sent.
func compare(want, got map[string]int) (lost, dup, unexpected int) {
	for k, n := range want {
		if g := got[k]; g < n {
			lost += n - g
		} else {
			dup += g - n
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			unexpected += g
		}
	}
	return lost, dup, unexpected
}
