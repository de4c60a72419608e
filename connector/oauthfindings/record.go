package oauthfindings

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

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

// record fills one finding's log record (contract section 5).
func (c *findingsConnector) record(lr plog.LogRecord, sp ptrace.Span, res pcommon.Map, m contract.Mark, observed pcommon.Timestamp) {
	row, _ := contract.LookupFinding(m.EventType)
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
	if m.Rule != "" {
		out.PutStr(contract.AttrSecurityRuleName, m.Rule)
	}
	out.PutStr(contract.AttrFindingSource, m.Source)
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
