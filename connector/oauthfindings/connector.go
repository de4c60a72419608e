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

// contextAttrs are the plain (never secret) attributes copied from the span
// when present: who, which client, which provider, what happened.
var contextAttrs = []string{
	contract.AttrEnduserID, contract.AttrClientID, contract.AttrProvider,
	contract.AttrOperation, contract.AttrStatus, contract.AttrReason,
	contract.AttrGrantType, contract.AttrIss, contract.AttrIntegrityViolation,
}

// fingerprintAttrs are copied only when their value is a well-formed
// fingerprint: a raw or masked value never leaves through a finding.
var fingerprintAttrs = []string{
	contract.AttrRefreshToken, contract.AttrCode, contract.AttrState,
	contract.AttrCodeVerifier, contract.AttrDPoPJTI,
}

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
				v, ok := sp.Attributes().Get(contract.AttrSecurityFindings)
				if !ok || v.Type() != pcommon.ValueTypeSlice || contract.IsFindingRecord(sp.Attributes()) {
					continue
				}
				seen := map[string]bool{}
				for f := 0; f < v.Slice().Len(); f++ {
					row, known := contract.LookupFinding(v.Slice().At(f).AsString())
					if !known || seen[row.EventType] {
						continue
					}
					seen[row.EventType] = true
					if out == (plog.LogRecordSlice{}) {
						rl := ld.ResourceLogs().AppendEmpty()
						c.copyResource(res, rl.Resource().Attributes())
						sl := rl.ScopeLogs().AppendEmpty()
						sl.Scope().SetName(scopeName)
						out = sl.LogRecords()
					}
					c.record(out.AppendEmpty(), sp, res, row, observed)
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

// record fills one finding's log record (contract section 5).
func (c *findingsConnector) record(lr plog.LogRecord, sp ptrace.Span, res pcommon.Map, row contract.Finding, observed pcommon.Timestamp) {
	attrs := sp.Attributes()
	ts := sp.EndTimestamp()
	if ts == 0 {
		ts = sp.StartTimestamp()
	}
	lr.SetTimestamp(ts)
	lr.SetObservedTimestamp(observed)
	lr.SetTraceID(sp.TraceID())
	lr.SetSpanID(sp.SpanID())
	lr.SetEventName(row.EventName)
	if row.Severity == contract.SeverityCritical {
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
	} else {
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
	}
	lr.Body().SetStr(row.EventName)

	out := lr.Attributes()
	out.PutStr(contract.AttrEventName, row.EventName)
	out.PutStr(contract.AttrSecurityEventType, row.EventType)
	out.PutStr(contract.AttrSecuritySeverity, row.Severity)
	source, rule := contract.SourceDetected, ""
	// The span event of this finding carries its own source and rule.
	for i := 0; i < sp.Events().Len(); i++ {
		ev := sp.Events().At(i)
		if ev.Name() != row.EventName {
			continue
		}
		if s, ok := ev.Attributes().Get(contract.AttrFindingSource); ok && (s.Str() == contract.SourceReported || s.Str() == contract.SourceDetected) {
			source = s.Str()
		}
		if r, ok := ev.Attributes().Get(contract.AttrSecurityRuleName); ok {
			rule = r.Str()
		}
	}
	if et, ok := attrs.Get(contract.AttrSecurityEventType); ok && rule == "" && et.AsString() == row.EventType {
		if r, ok := attrs.Get(contract.AttrSecurityRuleName); ok {
			rule = r.AsString()
		}
	}
	if rule != "" {
		out.PutStr(contract.AttrSecurityRuleName, rule)
	}
	out.PutStr(contract.AttrFindingSource, source)
	out.PutStr(contract.AttrSide, contract.Side(attrs, res, sp.Kind()))
	for _, k := range contextAttrs {
		if v, ok := contract.Lookup(attrs, res, k); ok && v.Type() != pcommon.ValueTypeMap && v.Type() != pcommon.ValueTypeSlice && v.Type() != pcommon.ValueTypeBytes {
			out.PutStr(k, v.AsString())
		}
	}
	for _, k := range fingerprintAttrs {
		if v, ok := attrs.Get(k); ok && v.Type() == pcommon.ValueTypeStr && contract.IsFingerprint(v.Str()) && len(v.Str()) == contract.FingerprintLen {
			out.PutStr(k, v.Str())
		}
	}
}
