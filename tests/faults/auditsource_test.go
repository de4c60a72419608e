//go:build faults

package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
)

// auditSource is what one audit source's fault test puts into the
// collector the three audit-source tests (Okta, Auth0, Keycloak) share: a
// logs pipeline from oauth_audit through the contract processors to an
// OTLP sink (no sending queue: a stored cursor means the sink has the
// records) and the metrics connector, the cursor in file_storage.
type auditSource struct {
	// extensions are more extension sections (YAML at two spaces) and
	// extensionIDs their ids.
	extensions   string
	extensionIDs []string
	// receiver is the oauth_audit section's body (YAML at four spaces).
	receiver string
	// processors of the logs pipeline.
	processors []string
	// replace are old, new pairs replaced in the config once its ports are
	// free (the fake's URL, ...).
	replace []string
	env     []string
	// key identifies a delivered record (nil: its oauth.audit.id).
	key func(lr plog.LogRecord) (string, bool)
}

// auditRun is one fault test's collector config and sink, started as many
// times as the test restarts it.
type auditRun struct {
	t       *testing.T
	path    string
	ports   map[string]int
	ownPort int
	health  string
	env     []string
	sink    *testutil.OTLPSink
	key     func(lr plog.LogRecord) (string, bool)
}

func newAuditRun(t *testing.T, src auditSource) *auditRun {
	t.Helper()
	sink := testutil.StartOTLPSink(t, nil)
	cfg := fmt.Sprintf(`
extensions:
  # The one fingerprint key of this collector (contract section 3);
  # oauth_redact and oauth_security read it from here.
  oauth_fingerprint:
    key: ${env:OAUTH_FINGERPRINT_KEY}
  health_check:
    endpoint: localhost:13133
  file_storage:
    directory: %s
%sreceivers:
  oauth_audit:
%s    storage: file_storage
processors:
  oauth_normalize: {}
  oauth_redact:
    fingerprint: oauth_fingerprint
  oauth_security:
    fingerprint: oauth_fingerprint
connectors:
  oauth_span_metrics: {}
exporters:
  # No sending queue: a stored cursor means the sink has the records.
  otlp_http/sink:
    endpoint: SINK_URL
    compression: none
    sending_queue:
      enabled: false
  prometheus:
    endpoint: localhost:8889
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: localhost
                port: OWN_PORT
  extensions: [%s]
  pipelines:
    logs:
      receivers: [oauth_audit]
      processors: [%s]
      exporters: [otlp_http/sink, oauth_span_metrics]
    metrics:
      receivers: [oauth_span_metrics]
      exporters: [prometheus]
`, t.TempDir(), src.extensions, src.receiver,
		strings.Join(append([]string{"health_check", "file_storage"}, append(src.extensionIDs, "oauth_fingerprint")...), ", "),
		strings.Join(src.processors, ", "))
	cfg, ports := testutil.OnFreePorts(t, cfg)
	own := testutil.FreePort(t)
	cfg = strings.NewReplacer(append([]string{"SINK_URL", sink.HTTPURL, "OWN_PORT", fmt.Sprint(own)}, src.replace...)...).Replace(cfg)
	key := src.key
	if key == nil {
		key = func(lr plog.LogRecord) (string, bool) {
			id, ok := lr.Attributes().Get(contract.AttrAuditID)
			return id.Str(), ok
		}
	}
	return &auditRun{
		t: t, path: testutil.WriteConfig(t, cfg), ports: ports, ownPort: own,
		health: fmt.Sprintf("http://localhost:%d/", ports["13133"]), env: src.env, sink: sink, key: key,
	}
}

// start starts the binary and waits until it is healthy.
func (r *auditRun) start() *testutil.Collector {
	r.t.Helper()
	c := testutil.Start(r.t, r.path, r.env...)
	c.WaitHealthy(r.health, 60*time.Second)
	return c
}

// delivered counts the records that reached the sink by their key.
func (r *auditRun) delivered() map[string]int {
	seen := map[string]int{}
	for _, lr := range r.sink.LogRecords() {
		if k, ok := r.key(lr); ok {
			seen[k]++
		}
	}
	return seen
}

// waitAll waits until every id of want reached the sink, then a second
// more (a few more polls: nothing may come twice), and returns the counts.
// It fails naming how many, and which first, never arrived.
func (r *auditRun) waitAll(want []string, what string) map[string]int {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		seen := r.delivered()
		var missing []string
		for _, id := range want {
			if seen[id] == 0 {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: %d of %d events never arrived, first %v", what, len(missing), len(want), missing[:min(len(missing), 5)])
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	return r.delivered()
}

// repeats counts the deliveries of want beyond the first.
func repeats(want []string, seen map[string]int) int {
	n := 0
	for _, id := range want {
		n += max(0, seen[id]-1)
	}
	return n
}

// streamWhile calls add(3) every 100ms until the returned stop is called:
// a source's events flowing while the collector is killed and restarted.
func streamWhile(add func(int)) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				add(3)
			}
		}
	}()
	return func() { close(quit); <-done }
}

// assertOneReuse checks the metrics of one reuse verdict: one refresh
// reuse_detected and one token_reuse finding.
func (r *auditRun) assertOneReuse() {
	r.t.Helper()
	metrics := fmt.Sprintf("http://localhost:%d/metrics", r.ports["8889"])
	var samples []testutil.Sample
	require.Eventually(r.t, func() bool {
		var err error
		samples, err = testutil.ScrapeMetrics(metrics)
		return err == nil && testutil.SumSamples(samples, contract.MetricTokenRefreshTotal, "status", contract.StatusReuseDetected) > 0
	}, 30*time.Second, 200*time.Millisecond, "no refresh reuse_detected series")
	assert.Equal(r.t, 1.0, testutil.SumSamples(samples, contract.MetricTokenRefreshTotal, "status", contract.StatusReuseDetected))
	assert.Equal(r.t, 1.0, testutil.SumSamples(samples, contract.MetricSecurityEventsTotal, "event_type", contract.EventTokenReuse))
}

// ownTelemetry scrapes the collector's own metrics of the audit receiver,
// logged, and returns them.
func (r *auditRun) ownTelemetry() []testutil.Sample {
	r.t.Helper()
	own, err := testutil.ScrapeMetrics(fmt.Sprintf("http://localhost:%d/metrics", r.ownPort))
	require.NoError(r.t, err)
	var names []string
	for _, s := range own {
		if strings.Contains(s.Name, "oauth_audit") {
			names = append(names, fmt.Sprintf("%s%v=%g", s.Name, s.Labels, s.Value))
		}
	}
	r.t.Logf("own telemetry:\n%s", strings.Join(names, "\n"))
	return own
}
