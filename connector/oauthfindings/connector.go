package oauthfindings

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

const scopeName = "github.com/otelcol-oauth/otelcol-oauth/connector/oauthfindings"

// findingsConnector turns each finding on a span into a log record.
type findingsConnector struct {
	component.StartFunc
	component.ShutdownFunc
	cfg  *Config
	next consumer.Logs
	now  func() time.Time
}

func newConnector(cfg *Config, _ connector.Settings, next consumer.Logs) *findingsConnector {
	return &findingsConnector{cfg: cfg, next: next, now: time.Now}
}

func (c *findingsConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *findingsConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	ld := c.findings(td)
	if ld.LogRecordCount() == 0 {
		return nil
	}
	return c.next.ConsumeLogs(ctx, ld)
}

// findings builds the log records for every finding of every span.
func (c *findingsConnector) findings(td ptrace.Traces) plog.Logs {
	ld := plog.NewLogs()
	observed := pcommon.NewTimestampFromTime(c.now())
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		res := rs.Resource().Attributes()
		var out plog.LogRecordSlice
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				for _, m := range contract.ReadFindings(sp.Attributes(), sp.Events()) {
					if out == (plog.LogRecordSlice{}) {
						rl := ld.ResourceLogs().AppendEmpty()
						c.copyResource(res, rl.Resource().Attributes())
						sl := rl.ScopeLogs().AppendEmpty()
						sl.Scope().SetName(scopeName)
						out = sl.LogRecords()
					}
					c.record(out.AppendEmpty(), sp, res, m, observed)
				}
			}
		}
	}
	return ld
}

func (c *findingsConnector) copyResource(from, to pcommon.Map) {
	for _, k := range c.cfg.ResourceAttributes {
		if v, ok := from.Get(k); ok {
			v.CopyTo(to.PutEmpty(k))
		}
	}
}
