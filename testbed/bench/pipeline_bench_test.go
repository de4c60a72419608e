package bench

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-oauth/otelcol-oauth/connector/oauthspanmetrics"
	"github.com/otelcol-oauth/otelcol-oauth/internal/testutil"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthredact"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthsecurity"
	"github.com/otelcol-oauth/otelcol-oauth/testbed/oauthgen"
)

// stagePipeline is the full pipeline's OAuth components in process, in the
// order the testbed's oauth scenario runs them (oauth_normalize first) (batching left out: the
// passthrough floor has it too).
type stagePipeline struct {
	traces    consumer.Traces
	logs      consumer.Logs
	metrics   consumer.Metrics
	shutdowns []component.Component
}

func newStagePipeline(b *testing.B) *stagePipeline {
	ctx := context.Background()
	p := &stagePipeline{}
	key := configopaque.String(testutil.TestKey)

	smf := oauthspanmetrics.NewFactory()
	smCfg := smf.CreateDefaultConfig().(*oauthspanmetrics.Config)
	smCfg.FlushInterval = time.Second
	smSet := connectortest.NewNopSettings(smf.Type())
	smTraces, err := smf.CreateTracesToMetrics(ctx, smSet, smCfg, consumertest.NewNop())
	p.start(b, smTraces, err)
	smLogs, err := smf.CreateLogsToMetrics(ctx, smSet, smCfg, consumertest.NewNop())
	p.start(b, smLogs, err)

	sf := oauthsecurity.NewFactory()
	sCfg := sf.CreateDefaultConfig().(*oauthsecurity.Config)
	sCfg.FingerprintKey = key
	sCfg.ReuseGracePeriod = 10 * time.Millisecond
	sCfg.CodeTTL, sCfg.StateTTL = time.Hour, time.Hour
	sSet := processortest.NewNopSettings(sf.Type())
	secTraces, err := sf.CreateTraces(ctx, sSet, sCfg, smTraces)
	p.start(b, secTraces, err)
	secLogs, err := sf.CreateLogs(ctx, sSet, sCfg, smLogs)
	p.start(b, secLogs, err)

	rf := oauthredact.NewFactory()
	rCfg := rf.CreateDefaultConfig().(*oauthredact.Config)
	rCfg.FingerprintKey = key
	rSet := processortest.NewNopSettings(rf.Type())
	rTraces, err := rf.CreateTraces(ctx, rSet, rCfg, secTraces)
	p.start(b, rTraces, err)
	rLogs, err := rf.CreateLogs(ctx, rSet, rCfg, secLogs)
	p.start(b, rLogs, err)
	rMetrics, err := rf.CreateMetrics(ctx, rSet, rCfg, consumertest.NewNop())
	p.start(b, rMetrics, err)

	// oauth_normalize runs first in every shipped traces and logs pipeline.
	nf := oauthnormalize.NewFactory()
	nCfg := nf.CreateDefaultConfig()
	nSet := processortest.NewNopSettings(nf.Type())
	nTraces, err := nf.CreateTraces(ctx, nSet, nCfg, rTraces)
	p.start(b, nTraces, err)
	nLogs, err := nf.CreateLogs(ctx, nSet, nCfg, rLogs)
	p.start(b, nLogs, err)
	p.traces, p.logs, p.metrics = nTraces, nLogs, rMetrics
	return p
}

// start fails the benchmark on err (the factory's), else starts c and keeps
// it for shutdown.
func (p *stagePipeline) start(b *testing.B, c component.Component, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	p.shutdowns = append(p.shutdowns, c)
}

func (p *stagePipeline) shutdown(b *testing.B) {
	for i := len(p.shutdowns) - 1; i >= 0; i-- {
		if err := p.shutdowns[i].Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// roundTrip decodes a payload as the OTLP receiver does, hands it to the
// OAuth components when p is set, and encodes it as the exporter does.
func roundTrip(b *testing.B, p *stagePipeline, pl oauthgen.Payload) {
	ctx := context.Background()
	var err error
	switch pl.Signal {
	case oauthgen.Traces:
		req := ptraceotlp.NewExportRequest()
		if err = req.UnmarshalProto(pl.Body); err == nil {
			if p != nil {
				err = p.traces.ConsumeTraces(ctx, req.Traces())
			}
			if err == nil {
				_, err = req.MarshalProto()
			}
		}
	case oauthgen.Logs:
		req := plogotlp.NewExportRequest()
		if err = req.UnmarshalProto(pl.Body); err == nil {
			if p != nil {
				err = p.logs.ConsumeLogs(ctx, req.Logs())
			}
			if err == nil {
				_, err = req.MarshalProto()
			}
		}
	default:
		req := pmetricotlp.NewExportRequest()
		if err = req.UnmarshalProto(pl.Body); err == nil {
			if p != nil {
				err = p.metrics.ConsumeMetrics(ctx, req.Metrics())
			}
			if err == nil {
				_, err = req.MarshalProto()
			}
		}
	}
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPipelineTestbedTraffic replays the testbed's traffic (seed 1)
// through decode+encode alone (floor) and through decode, the OAuth
// components and encode (oauth), and reports ns per record. The traffic is
// replayed in order; a fresh pipeline starts each pass, so a replayed token
// is never a reuse. It is the quick loop for the testbed's CPU ratio; the
// testbed itself (make bench-testbed) is the measurement that counts.
func BenchmarkPipelineTestbedTraffic(b *testing.B) {
	benchStages(b, oauthgen.Config{Seed: 1, Records: 240_000, Rate: 50_000, GracePeriod: 10 * time.Millisecond, Start: time.Now()})
}

// BenchmarkPipelineHydraTraffic is the same on the Hydra traffic
// (oauthgen.TrafficHydra: traces only, roots cut from their children).
func BenchmarkPipelineHydraTraffic(b *testing.B) {
	benchStages(b, oauthgen.Config{Seed: 1, Traffic: oauthgen.TrafficHydra, Records: 240_000, Rate: 50_000, Start: time.Now()})
}

// benchStages generates the traffic of cfg and replays it through the
// floor and the oauth stage.
func benchStages(b *testing.B, cfg oauthgen.Config) {
	g := oauthgen.New(cfg)
	var payloads []oauthgen.Payload
	for {
		r, ok := g.Next()
		if !ok {
			break
		}
		pl, err := oauthgen.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		payloads = append(payloads, pl)
	}
	for _, stage := range []string{"floor", "oauth"} {
		b.Run("stage="+stage, func(b *testing.B) {
			var p *stagePipeline
			records := 0
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				j := i % len(payloads)
				if j == 0 && stage == "oauth" {
					b.StopTimer()
					if p != nil {
						p.shutdown(b)
					}
					p = newStagePipeline(b)
					b.StartTimer()
				}
				roundTrip(b, p, payloads[j])
				records += payloads[j].Records
			}
			if p != nil {
				p.shutdown(b)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
		})
	}
}
