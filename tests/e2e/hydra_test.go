//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil/hydra"
)

// Ory Hydra v2.3.0, built from its module by scripts/hydra.sh, with its
// OpenTelemetry tracing switched on by tests/e2e/testdata/hydra.yaml and
// nothing else: the driver (internal/testutil/hydra) runs every flow once
// (RunAll), and the collector derives exactly what the driver caused, through
// the default config and through agent, load balancer and two gateways;
// Hydra's export requests cut into single-span requests in random order
// (children before their root) give the same result.

// hydraBin finds the Hydra binary ($OTELCOL_OAUTH_HYDRA_BIN, set by
// `make test-e2e`).
func hydraBin(t *testing.T) string {
	return testutil.Tool(t, "hydra", hydra.BinEnv, installedBy)
}

// runHydra starts Hydra exporting to otlpHTTP, runs every flow and stops
// Hydra cleanly (its last spans flushed). It returns the ground truth and
// every raw value the driver handled.
func runHydra(t *testing.T, bin, otlpHTTP string) (hydra.Truth, []hydra.Secret) {
	t.Helper()
	srv := hydra.Start(t, bin, otlpHTTP)
	d := hydra.NewDriver(srv)
	truth, err := d.RunAll()
	require.NoError(t, err)
	require.NoError(t, srv.Stop(30*time.Second))
	return truth, d.Secrets()
}

// The configuration a user copies is the one the driver runs.
func TestHydraConfigIsTheTestedOne(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "tests", "e2e", "testdata", "hydra.yaml"))
	require.NoError(t, err)
	assert.Equal(t, hydra.DefaultConfig.YAML(), string(raw))
}

// series is one expected value: a metric name and the labels (k=v,k=v)
// that select the samples summed.
type series struct {
	name, labels string
}

func (s series) String() string { return s.name + "{" + s.labels + "}" }

// pairs is the selector as SumSamples takes it.
func (s series) pairs() []string {
	var out []string
	for _, kv := range strings.Split(s.labels, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out = append(out, k, v)
		}
	}
	return out
}

// hydraWant is every OAuth series the flows move and its exact value,
// derived from the driver's ground truth by contract v2 (sections 1, 4, 5):
//   - one flow initiated per authorization flow (Hydra's authorization
//     endpoint is visited three times per flow); the code exchange is its
//     outcome: a success, or a failure for the replayed code and the wrong
//     verifier;
//   - the refresh-token reuse is a refresh reuse_detected, one token_reuse;
//     the code replay one code_injection; the wrong verifier a
//     pkce.validate failure invalid_hash carried on its exchange, and each
//     successful exchange of a PKCE flow a pkce.validate success (its
//     persistence.sql.GetPKCERequestSession found the challenge:
//     docs/sources/hydra.md);
//   - tokens issued by code exchanges and client credentials, minus the one
//     revoked (a refresh rotates one away and issues one);
//   - the introspection feeds no metric.
func hydraWant(tr hydra.Truth) map[series]float64 {
	codeFailures := float64(tr.CodeReplays + tr.PKCEMismatches)
	return map[series]float64{
		{contract.MetricDiscoveryAttemptsTotal, "status=success"}:                            float64(tr.Discovery),
		{contract.MetricDiscoveryDuration + "_count", "status=success"}:                      float64(tr.Discovery),
		{contract.MetricClientRegistrationsTotal, "status=success"}:                          float64(tr.Registrations),
		{contract.MetricClientRegistrationDuration + "_count", "status=success"}:             float64(tr.Registrations),
		{contract.MetricFlowsTotal, "status=initiated"}:                                      float64(tr.Flows),
		{contract.MetricFlowsTotal, "status=success"}:                                        float64(tr.CodeExchanges),
		{contract.MetricFlowsTotal, "status=failure"}:                                        codeFailures,
		{contract.MetricAuthorizationRequestsTotal, "result=success"}:                        float64(tr.Flows),
		{contract.MetricTokenExchangesTotal, "grant_type=authorization_code,result=success"}: float64(tr.CodeExchanges),
		{contract.MetricTokenExchangesTotal, "grant_type=authorization_code,result=failure"}: codeFailures,
		{contract.MetricTokenExchangesTotal, "grant_type=refresh_token,result=success"}:      float64(tr.Refreshes),
		{contract.MetricTokenExchangesTotal, "grant_type=refresh_token,result=failure"}:      float64(tr.RefreshReuses),
		{contract.MetricTokenExchangesTotal, "grant_type=client_credentials,result=success"}: float64(tr.ClientCredentials),
		{contract.MetricTokenExchangeDuration + "_count", "grant_type=authorization_code"}:   float64(tr.CodeExchanges) + codeFailures,
		{contract.MetricTokenExchangeDuration + "_count", "grant_type=refresh_token"}:        float64(tr.Refreshes + tr.RefreshReuses),
		{contract.MetricTokenExchangeDuration + "_count", "grant_type=client_credentials"}:   float64(tr.ClientCredentials),
		{contract.MetricTokenRefreshTotal, "status=success,reason=normal"}:                   float64(tr.Refreshes),
		{contract.MetricTokenRefreshTotal, "status=reuse_detected,reason=reuse_detected"}:    float64(tr.RefreshReuses),
		{contract.MetricTokenRefreshDuration + "_count", "status=success"}:                   float64(tr.Refreshes),
		{contract.MetricTokenRefreshDuration + "_count", "status=reuse_detected"}:            float64(tr.RefreshReuses),
		{contract.MetricTokenRevocationsTotal, ""}:                                           float64(tr.Revocations),
		{contract.MetricActiveTokens, ""}:                                                    float64(tr.CodeExchanges + tr.ClientCredentials - tr.Revocations),
		{contract.MetricPKCEValidationsTotal, "status=success,reason=valid"}:                 float64(tr.CodeExchanges),
		{contract.MetricPKCEValidationsTotal, "status=failure,reason=invalid_hash"}:          float64(tr.PKCEMismatches),
		{contract.MetricSecurityEventsTotal, "event_type=token_reuse,severity=critical"}:     float64(tr.RefreshReuses),
		{contract.MetricSecurityEventsTotal, "event_type=code_injection,severity=critical"}:  float64(tr.CodeReplays),
		{contract.MetricCodeInjectionAttemptsTotal, ""}:                                      float64(tr.CodeReplays),
	}
}

// checkHydraMetrics compares the samples of every oauth_* metric with want:
// each selected sum exactly, and each metric's total equal to the sum of its
// expected series (no series moved that the flows did not move). Buckets
// and sums of histograms are left out (their _count is compared).
func checkHydraMetrics(samples []testutil.Sample, want map[series]float64) error {
	var bad []string
	wantTotal := map[string]float64{}
	for s, v := range want {
		if got := testutil.SumSamples(samples, s.name, s.pairs()...); got != v {
			bad = append(bad, fmt.Sprintf("%s = %v, want %v", s, got, v))
		}
		wantTotal[s.name] += v
	}
	gotTotal := map[string]float64{}
	for _, s := range samples {
		if strings.HasPrefix(s.Name, "oauth_") && !strings.HasSuffix(s.Name, "_bucket") && !strings.HasSuffix(s.Name, "_sum") {
			gotTotal[s.Name] += s.Value
		}
	}
	for name, v := range gotTotal {
		if v != wantTotal[name] {
			bad = append(bad, fmt.Sprintf("%s totals %v over all its series, want %v", name, v, wantTotal[name]))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%d mismatches:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	return nil
}

// scrapeAll adds the samples of several scrapes (one per gateway).
func scrapeAll(urls ...string) ([]testutil.Sample, error) {
	var all []testutil.Sample
	for _, u := range urls {
		s, err := testutil.ScrapeMetrics(u)
		if err != nil {
			return nil, err
		}
		all = append(all, s...)
	}
	return all, nil
}

// waitHydraMetrics waits until the scrapes match want, then returns them.
func waitHydraMetrics(t *testing.T, want map[series]float64, urls ...string) []testutil.Sample {
	t.Helper()
	var samples []testutil.Sample
	eventually(t, 90, "metrics derived from Hydra's traces", func() error {
		var err error
		if samples, err = scrapeAll(urls...); err != nil {
			return err
		}
		return checkHydraMetrics(samples, want)
	})
	return samples
}

// fileExporters is a config file to merge after cfgYAML: file exporters
// (traces, logs, metrics into dir) added to every pipeline of cfgYAML,
// beside the pipeline's own exporters.
func fileExporters(t *testing.T, cfgYAML, dir string) string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(cfgYAML), &doc))
	exporters := map[string]any{}
	for _, sig := range []string{"traces", "logs", "metrics"} {
		exporters["file/"+sig] = map[string]any{"path": filepath.Join(dir, sig+".jsonl"), "flush_interval": "100ms"}
	}
	pipelines := map[string]any{}
	for id, p := range doc["service"].(map[string]any)["pipelines"].(map[string]any) {
		sig, _, _ := strings.Cut(id, "/")
		pipelines[id] = map[string]any{"exporters": append(p.(map[string]any)["exporters"].([]any), "file/"+sig)}
	}
	out, err := yaml.Marshal(map[string]any{"exporters": exporters, "service": map[string]any{"pipelines": pipelines}})
	require.NoError(t, err)
	return testutil.WriteConfig(t, string(out))
}

// exportedText is everything the collectors exported into files under dirs
// and the given extra texts (scrapes, process output).
func exportedText(t *testing.T, dirs []string, extra ...string) string {
	t.Helper()
	var b strings.Builder
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		require.NoError(t, err)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			b.Write(raw)
		}
	}
	for _, e := range extra {
		b.WriteString(e)
	}
	return b.String()
}

// assertNoSecret fails, naming only its kind, for each raw value in text.
func assertNoSecret(t *testing.T, secrets []hydra.Secret, text string) {
	t.Helper()
	require.NotEmpty(t, secrets)
	kinds := map[string]int{}
	for _, s := range secrets {
		kinds[s.Kind]++
		assert.False(t, s.In(text), "a raw %s was exported", s)
	}
	for _, k := range []string{"access_token", "refresh_token", "refresh_token signature", "access_token signature",
		"code", "code signature", "state", "code_verifier", "client_secret", "id_token"} {
		assert.Positive(t, kinds[k], "the driver handled no %s: the check would prove nothing", k)
	}
}

// fileLines calls each for every line the file exporters wrote to name
// under dirs (a directory without the file contributes nothing).
func fileLines(t *testing.T, dirs []string, name string, each func(line []byte)) {
	t.Helper()
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		for _, line := range strings.Split(string(raw), "\n") {
			if line != "" {
				each([]byte(line))
			}
		}
	}
}

// findingLogs reads the findings log records (they carry
// oauth.finding.source) from the logs files under dirs, by event.name.
func findingLogs(t *testing.T, dirs []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	fileLines(t, dirs, "logs.jsonl", func(line []byte) {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
		require.NoError(t, err)
		for _, lr := range testutil.LogRecordsOf(ld) {
			if _, ok := lr.Attributes().Get(contract.AttrFindingSource); ok {
				name, _ := lr.Attributes().Get(contract.AttrEventName)
				out[name.Str()]++
			}
		}
	})
	return out
}

func eventName(t *testing.T, eventType string) string {
	f, ok := contract.LookupFinding(eventType)
	require.True(t, ok, eventType)
	return f.EventName
}

// wantFindingLogs: one log record per finding.
func wantFindingLogs(t *testing.T, tr hydra.Truth) map[string]int {
	return map[string]int{
		eventName(t, contract.EventTokenReuse):    tr.RefreshReuses,
		eventName(t, contract.EventCodeInjection): tr.CodeReplays,
	}
}

// reuseAlertFires writes a promtool rule test from the reuse series the
// collectors exported (their exact labels, as Prometheus stores them after a
// scrape by job otelcol-oauth-gateway), series born at their scraped value
// five minutes into the test, and checks that the shipped
// OAuthTokenReuseDetected fires on them and only then.
func reuseAlertFires(t *testing.T, samples []testutil.Sample) {
	t.Helper()
	promtool := testutil.Tool(t, "promtool", "", installedBy)
	var input []string
	for i, s := range samples {
		if s.Name != contract.MetricTokenRefreshTotal || s.Value == 0 {
			continue
		}
		labels := []string{fmt.Sprintf(`instance="gw-%d"`, i), `job="otelcol-oauth-gateway"`}
		for k, v := range s.Labels {
			if k == "job" || k == "instance" {
				k = "exported_" + k
			}
			labels = append(labels, fmt.Sprintf("%s=%q", k, v))
		}
		sort.Strings(labels)
		values := fmt.Sprintf("_x10 %vx30", s.Value)
		if s.Labels[contract.LabelStatus] != contract.StatusReuseDetected {
			values = fmt.Sprintf("0x10 %vx30", s.Value)
		}
		input = append(input, fmt.Sprintf("      - series: '%s{%s}'\n        values: '%s'\n", s.Name, strings.Join(labels, ","), values))
		input = append(input, fmt.Sprintf("      - series: 'up{instance=\"gw-%d\",job=\"otelcol-oauth-gateway\"}'\n        values: '1x40'\n", i))
	}
	require.NotEmpty(t, input)
	rules := filepath.Join(testutil.RepoRoot(t), "deploy", "prometheus", "oauth-rules.yaml")
	test := fmt.Sprintf(`rule_files: [%q]
evaluation_interval: 30s
tests:
  - interval: 30s
    input_series:
%s    alert_rule_test:
      - eval_time: 4m
        alertname: OAuthTokenReuseDetected
        exp_alerts: []
      - eval_time: 6m
        alertname: OAuthTokenReuseDetected
        exp_alerts:
          - exp_labels:
              severity: critical
              priority: P0
            exp_annotations:
              summary: 'Refresh token reuse detected'
              description: '1 refreshes presented a refresh token that had already been rotated away in the last 5 minutes: the token family is compromised. Revoke it and find the user and client in the oauth_refresh_token_reuse_detected events in Loki.'
      - eval_time: 12m
        alertname: OAuthTokenReuseDetected
        exp_alerts: []
`, rules, strings.Join(input, ""))
	path := filepath.Join(t.TempDir(), "hydra-reuse.test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(test), 0o600))
	out, err := exec.Command(promtool, "test", "rules", path).CombinedOutput()
	require.NoError(t, err, "promtool test rules on the series Hydra produced:\n%s\n%s", out, test)
}

// hydraTarget is where Hydra sends its traces: the collector's OTLP/HTTP
// receiver, or, with split, a splitter in front of it.
func hydraTarget(t *testing.T, otlpHTTP string, split bool) (string, func() string) {
	t.Helper()
	if !split {
		return otlpHTTP, func() string { return "as Hydra batched them" }
	}
	seed := uint64(time.Now().UnixNano())
	s := hydra.StartSplitter(t, otlpHTTP, seed)
	return s.Addr, func() string {
		reqs, spans := s.Counts()
		return fmt.Sprintf("%d export requests cut into %d single-span requests (seed %d)", reqs, spans, seed)
	}
}

// joinWait is oauth_normalize's default join.wait (processor/oauthnormalize
// README), which the shipped configs keep.
const joinWait = 10 * time.Second

// checkHydraOutcome asserts everything the flows must produce on the
// collectors whose prometheus exporters are at metricsURLs and whose file
// exporters write under dirs; extra is more text they exported or logged.
func checkHydraOutcome(t *testing.T, truth hydra.Truth, secrets []hydra.Secret, dirs []string, extra func() []string, metricsURLs ...string) {
	t.Helper()
	want := hydraWant(truth)
	waitHydraMetrics(t, want, metricsURLs...)
	// Nothing arrives late: the same values once every trace the join
	// buffer could still hold has been released (oauth_normalize join.wait,
	// 10 s by default, plus a flush).
	time.Sleep(joinWait + 2*time.Second)
	samples, err := scrapeAll(metricsURLs...)
	require.NoError(t, err)
	require.NoError(t, checkHydraMetrics(samples, want), "after the join buffer's wait")

	eventually(t, 60, "findings log records", func() error {
		if got, want := findingLogs(t, dirs), wantFindingLogs(t, truth); fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("finding logs by event.name %v, want %v", got, want)
		}
		return nil
	})
	assert.Equal(t, truth.PKCEMismatches, exportedSpansWith(t, dirs, contract.AttrPKCEReason, contract.ReasonInvalidHash),
		"exported spans with %s=%s", contract.AttrPKCEReason, contract.ReasonInvalidHash)

	reuseAlertFires(t, samples)

	var scrapes []string
	for _, u := range metricsURLs {
		body, err := testutil.HTTPGet(u)
		require.NoError(t, err)
		scrapes = append(scrapes, string(body))
	}
	assertNoSecret(t, secrets, exportedText(t, dirs, append(scrapes, extra()...)...))
}

// exportedSpansWith counts the exported spans under dirs whose attribute
// key is value.
func exportedSpansWith(t *testing.T, dirs []string, key, value string) int {
	t.Helper()
	n := 0
	fileLines(t, dirs, "traces.jsonl", func(line []byte) {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
		require.NoError(t, err)
		for _, sp := range testutil.SpansOf(td) {
			if v, ok := sp.Attributes().Get(key); ok && v.AsString() == value {
				n++
			}
		}
	})
	return n
}

// Hydra → the shipped default config (otelcol-config.yaml on free ports,
// the test key through the oauth_fingerprint extension), with file
// exporters added beside its own.
func TestHydraDefaultConfig(t *testing.T) {
	bin := hydraBin(t)
	for _, split := range []bool{false, true} {
		t.Run(map[bool]string{false: "as batched", true: "single-span batches"}[split], func(t *testing.T) {
			cfgPath, ports := testutil.DefaultConfig(t)
			raw, err := os.ReadFile(cfgPath)
			require.NoError(t, err)
			out := t.TempDir()
			col := testutil.StartProcess(t, "collector", []string{"OAUTH_FINGERPRINT_KEY=" + testutil.TestKey},
				testutil.BinaryPath(t), "--config", cfgPath, "--config", fileExporters(t, string(raw), out))
			col.WaitHTTP(fmt.Sprintf("http://localhost:%d/", ports["13133"]), processReady)

			target, how := hydraTarget(t, fmt.Sprintf("localhost:%d", ports["4318"]), split)
			truth, secrets := runHydra(t, bin, target)
			t.Logf("ground truth %+v; spans %s", truth, how())
			checkHydraOutcome(t, truth, secrets, []string{out}, func() []string { return []string{col.Output()} },
				fmt.Sprintf("http://localhost:%d/metrics", ports["8889"]))
		})
	}
}

// Hydra → an agent (OTLP/HTTP) → the load-balancing tier (routing by
// oauth.client_id) → two gateways, all on the shipped configs; file
// exporters added to the gateways. The two gateways' metrics add up to the
// ground truth.
func TestHydraThroughAgentLoadBalancerGateways(t *testing.T) {
	bin := hydraBin(t)
	for _, split := range []bool{false, true} {
		t.Run(map[bool]string{false: "as batched", true: "single-span batches"}[split], func(t *testing.T) {
			agentHTTP, metricsURLs, dirs := startHydraTiers(t)
			target, how := hydraTarget(t, fmt.Sprintf("127.0.0.1:%d", agentHTTP), split)
			truth, secrets := runHydra(t, bin, target)
			t.Logf("ground truth %+v; spans %s", truth, how())
			checkHydraOutcome(t, truth, secrets, dirs, func() []string { return nil }, metricsURLs...)
		})
	}
}

// startHydraTiers starts two gateways (file exporters added), the load
// balancer and one agent (tierstack_test.go), and returns the agent's
// OTLP/HTTP port and the gateways' metrics URLs and file directories.
func startHydraTiers(t *testing.T) (int, []string, []string) {
	t.Helper()
	common := tlsEnv(testutil.TestCerts(t))
	gwRaw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "deploy", "gateway.yaml"))
	require.NoError(t, err)
	var gwOTLP []int
	var metricsURLs, dirs []string
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		otlp, metrics := startGateway(t, i, common, fileExporters(t, string(gwRaw), dir))
		gwOTLP, dirs = append(gwOTLP, otlp), append(dirs, dir)
		metricsURLs = append(metricsURLs, fmt.Sprintf("http://127.0.0.1:%d/metrics", metrics))
	}
	return startAgent(t, 0, common, startLoadBalancer(t, common, gwOTLP)), metricsURLs, dirs
}
