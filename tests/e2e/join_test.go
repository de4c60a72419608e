//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/kcstory"
)

// tierStack is one agent, the load-balancing tier and two gateways on the
// shipped configs; each gateway also exports the traces it processed to an
// in-process sink.
type tierStack struct {
	agentHTTP int
	agent     *agent
	common    []string
	lbOTLP    int
	sinks     []*testutil.OTLPSink
	gwMetrics []int
}

func startTierStack(t *testing.T) *tierStack {
	t.Helper()
	common := tlsEnv(testutil.TestCerts(t))
	st := &tierStack{}
	var gwOTLP []int
	for i := 0; i < 2; i++ {
		sink := testutil.StartOTLPSink(t, nil)
		records := testutil.WriteConfig(t, fmt.Sprintf(`exporters:
  otlp_grpc/records:
    endpoint: %s
    tls:
      insecure: true
service:
  pipelines:
    traces:
      exporters: [oauth_span_metrics, oauth_findings, otlp_grpc/records]
`, sink.GRPCAddr))
		otlp, metrics := startGateway(t, i, common, records)
		gwOTLP, st.gwMetrics, st.sinks = append(gwOTLP, otlp), append(st.gwMetrics, metrics), append(st.sinks, sink)
	}
	st.common, st.lbOTLP = common, startLoadBalancer(t, common, gwOTLP)
	st.agent = &agent{http: freePort(t), own: freePort(t), storage: t.TempDir()}
	st.agent.start(t, common, st.lbOTLP)
	st.agentHTTP = st.agent.http
	return st
}

// post sends td to the agent as one OTLP/HTTP request.
func (st *tierStack) post(t *testing.T, td ptrace.Traces) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/v1/traces", st.agentHTTP), "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// outcome is what the gateways made of the story: the contract attributes
// of each request root, the gateway each trace reached, and every oauth_*
// series summed over the gateways.
type outcome struct {
	records map[string]map[string]string
	gateway map[string]int
	spans   int
	metrics map[string]float64
}

func (st *tierStack) outcome(t *testing.T) outcome {
	t.Helper()
	o := outcome{records: map[string]map[string]string{}, gateway: map[string]int{}, metrics: map[string]float64{}}
	for g, sink := range st.sinks {
		for _, s := range sink.Spans() {
			o.spans++
			id := s.TraceID().String()
			if prev, ok := o.gateway[id]; ok && prev != g {
				o.gateway[id] = -1 // cut between gateways
			} else if !ok {
				o.gateway[id] = g
			}
			if s.Kind() == ptrace.SpanKindServer {
				o.records[id] = oauthAttrs(s.Attributes())
			}
		}
	}
	for _, port := range st.gwMetrics {
		samples, err := testutil.ScrapeMetrics(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
		require.NoError(t, err)
		for _, s := range samples {
			if strings.HasPrefix(s.Name, "oauth_") {
				o.metrics[seriesKey(s)] += s.Value
			}
		}
	}
	return o
}

func oauthAttrs(m pcommon.Map) map[string]string {
	out := map[string]string{}
	m.Range(func(k string, v pcommon.Value) bool {
		if strings.HasPrefix(k, "oauth.") || k == "enduser.id" {
			out[k] = v.AsString()
		}
		return true
	})
	return out
}

func seriesKey(s testutil.Sample) string {
	var labels []string
	for k, v := range s.Labels {
		if k != "instance" && k != "job" {
			labels = append(labels, k+"="+v)
		}
	}
	sort.Strings(labels)
	return s.Name + "{" + strings.Join(labels, ",") + "}"
}

// run sends the Keycloak story through a fresh stack, as one batch or cut
// into single-span requests with each 26.3 request's event span before its
// root, and returns the outcome once every span reached a gateway and the
// derived metrics stopped moving.
func runStory(t *testing.T, story kcstory.Story, cut bool) (outcome, *tierStack) {
	st := startTierStack(t)
	start := time.Now().Add(-time.Minute)
	at := func(i int) pcommon.Timestamp {
		return pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Second))
	}
	if !cut {
		td, spans := story.NewBatch()
		for i := range story.Requests {
			story.Requests[i].Build(0, i, at(i), spans, spans)
		}
		st.post(t, td)
	} else {
		for i := range story.Requests {
			child, childSpans := story.NewBatch()
			root, rootSpans := story.NewBatch()
			story.Requests[i].Build(0, i, at(i), rootSpans, childSpans)
			if childSpans.Len() > 0 {
				st.post(t, child)
			}
			st.post(t, root)
		}
	}
	var o outcome
	eventually(t, 120, "the story at the gateways", func() error {
		o = st.outcome(t)
		if o.spans != story.Spans() {
			return fmt.Errorf("%d spans of %d", o.spans, story.Spans())
		}
		// The derived metrics are flushed every second: stable over more
		// than two flushes.
		time.Sleep(2500 * time.Millisecond)
		if again := st.outcome(t); len(o.metrics) == 0 || fmt.Sprint(again.metrics) != fmt.Sprint(o.metrics) {
			return fmt.Errorf("metrics still moving")
		}
		return nil
	})
	return o, st
}

// TestKeycloakJoinAcrossTiers: the Keycloak 26.3 story through agent, load
// balancer and two gateways, once as one batch and once cut into
// single-span OTLP requests with every event span before its root, gives
// the same records and the same derived metrics; every trace reaches one
// gateway whole; every span arrives once.
func TestKeycloakJoinAcrossTiers(t *testing.T) {
	story, err := kcstory.Load(testutil.RepoRoot(t))
	require.NoError(t, err)
	one, _ := runStory(t, story, false)
	cut, st := runStory(t, story, true)

	var records int
	for i, r := range story.Requests {
		id := kcstory.TraceID(0, i).String()
		assert.NotEqual(t, -1, one.gateway[id], "%s: one batch, cut between gateways", r.ID)
		assert.NotEqual(t, -1, cut.gateway[id], "%s: cut, cut between gateways", r.ID)
		assert.Equal(t, one.records[id], cut.records[id], r.ID)
		if len(r.Want) > 0 {
			records++
			assert.Equal(t, r.Want[contract.AttrOperation], one.records[id][contract.AttrOperation], r.ID)
		}
	}
	assert.Equal(t, 19, records)
	gateways := map[int]int{}
	for _, g := range cut.gateway {
		gateways[g]++
	}
	t.Logf("traces per gateway (cut): %v; %d oauth_* series", gateways, len(one.metrics))
	assert.Equal(t, one.metrics, cut.metrics)
	var reuse float64
	for k, v := range one.metrics {
		if strings.HasPrefix(k, contract.MetricTokenRefreshTotal+"{") && strings.Contains(k, contract.LabelStatus+"="+contract.StatusReuseDetected) {
			reuse += v
		}
	}
	assert.Equal(t, 1.0, reuse, "exactly one reuse: %v", one.metrics)

	heldReleasedOnShutdown(t, st, story)
}

// TestKeycloakJoinAcrossTiers, continued: a Keycloak 26.3 event span whose
// root never comes is held by the agent (its held gauge says 1); stopped,
// the agent passes it on to its persistent queue; restarted, it sends it,
// the load balancer and the gateway hold it in turn and pass it on
// unmapped after their wait: every span sent reaches a gateway, once.
func heldReleasedOnShutdown(t *testing.T, st *tierStack, story kcstory.Story) {
	t.Helper()
	held := -1
	for i, r := range story.Requests {
		if r.Layout != "internal" || r.Event == nil {
			continue
		}
		child, childSpans := story.NewBatch()
		_, rootSpans := story.NewBatch()
		r.Build(9, i, pcommon.NewTimestampFromTime(time.Now()), rootSpans, childSpans)
		st.post(t, child)
		held = i
		break
	}
	require.NotEqual(t, -1, held)
	eventually(t, 60, "the agent holds the span", func() error {
		samples, err := testutil.ScrapeMetrics(fmt.Sprintf("http://127.0.0.1:%d/metrics", st.agent.own))
		if err != nil {
			return err
		}
		for _, s := range samples {
			if s.Name == "otelcol_processor_oauth_normalize_join_held_spans" && s.Value == 1 {
				return nil
			}
		}
		return fmt.Errorf("not held")
	})
	require.Equal(t, story.Spans(), st.outcome(t).spans, "held: nothing more reached a gateway")
	st.agent.p.Stop(30 * time.Second)
	require.True(t, st.agent.p.Exited())
	st.agent.start(t, st.common, st.lbOTLP)
	eventually(t, 120, "the held span at a gateway", func() error {
		if n := st.outcome(t).spans; n != story.Spans()+1 {
			return fmt.Errorf("%d spans of %d", n, story.Spans()+1)
		}
		return nil
	})
	g, ok := st.outcome(t).gateway[kcstory.TraceID(9, held).String()]
	assert.True(t, ok, "the held span reached a gateway")
	assert.NotEqual(t, -1, g)
}
