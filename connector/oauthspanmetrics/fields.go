package oauthspanmetrics

import (
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// fields are the contract attributes of one record, read in a single pass
// over the resource and then the record (the record wins, as in
// contract.Lookup).
type fields struct {
	op, side, status, reason, provider, grant, method, violation, state string
	// pkceReason is oauth.pkce.reason (a PKCE check on an exchange), flowID
	// oauth.flow.id (a server's id of one flow: the duration join).
	pkceReason, flowID string

	duration    float64
	hasDuration bool
	expiresIn   float64
	hasExpires  bool
	cleaned     int64
	hasCleaned  bool

	findings    pcommon.Value
	hasFindings bool
	// findingRecord is set from the record only (contract.IsFindingRecord).
	findingRecord bool
}

func str(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return v.AsString()
}

// number reads a finite number from an int, double or numeric string.
func number(v pcommon.Value) (float64, bool) {
	var f float64
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		f = v.Double()
	case pcommon.ValueTypeInt:
		f = float64(v.Int())
	case pcommon.ValueTypeStr:
		p, err := strconv.ParseFloat(v.Str(), 64)
		if err != nil {
			return 0, false
		}
		f = p
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// scan reads the attributes of m over whatever f already holds.
func (f *fields) scan(m pcommon.Map, record bool) {
	m.Range(func(k string, v pcommon.Value) bool {
		switch k {
		case contract.AttrOperation:
			f.op = str(v)
		case contract.AttrSide:
			f.side = str(v)
		case contract.AttrStatus:
			f.status = str(v)
		case contract.AttrReason:
			f.reason = str(v)
		case contract.AttrProvider:
			f.provider = str(v)
		case contract.AttrGrantType:
			f.grant = str(v)
		case contract.AttrDiscoveryMethod:
			f.method = str(v)
		case contract.AttrIntegrityViolation:
			f.violation = str(v)
		case contract.AttrState:
			f.state = str(v)
		case contract.AttrPKCEReason:
			f.pkceReason = str(v)
		case contract.AttrFlowID:
			f.flowID = str(v)
		case contract.AttrDuration:
			f.duration, f.hasDuration = number(v)
			if f.duration < 0 {
				f.hasDuration = false
			}
		case contract.AttrTokenExpiresIn:
			f.expiresIn, f.hasExpires = number(v)
		case contract.AttrPKCECleanedCount:
			c, ok := number(v)
			f.cleaned, f.hasCleaned = int64(c), ok && c >= 0 && c <= maxCleanedCount
		case contract.AttrSecurityFindings:
			f.findings, f.hasFindings = v, true
		case contract.AttrFindingSource:
			if record {
				f.findingRecord = true
			}
		}
		return true
	})
}

// flowKey is the key that joins a flow's authorize to its outcome: the
// server's flow id when the record has one (prefixed, so that it cannot meet
// a state fingerprint), else the state fingerprint; 0 for none.
func (f *fields) flowKey() uint64 {
	if f.flowID != "" {
		return keyOf(flowIDPrefix + f.flowID)
	}
	return keyOf(f.state)
}

const flowIDPrefix = "flow\x00"

// maxCleanedCount caps oauth.pkce.cleaned_count so a bad value cannot add an
// absurd amount at once.
const maxCleanedCount = 1 << 20

// sideOf is contract.Side on scanned fields.
func (f *fields) sideOf(kind ptrace.SpanKind) string { return contract.SideOf(f.side, f.op, kind) }

// statusOf is contract.Status on scanned fields.
func (f *fields) statusOf(code ptrace.StatusCode) string {
	return contract.StatusOf(f.status, f.op, code)
}

// reasonOf is contract.Reason on scanned fields.
func (f *fields) reasonOf(status string) string { return contract.ReasonOf(f.reason, f.op, status) }
