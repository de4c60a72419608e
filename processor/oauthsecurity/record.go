package oauthsecurity

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// record is the view of one span or log record the rules work on.
type record struct {
	attrs, res pcommon.Map
	spanKind   ptrace.SpanKind
	statusCode ptrace.StatusCode
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	timeMs     int64
	// previous holds the record's previous-key fingerprints during a key
	// rotation (contract.AttrPreviousFingerprints), read once per record.
	previous    pcommon.Value
	hasPrevious bool
}

// maxRecordSkewMs bounds how far a record's own time may be from the
// processing clock (replayed logs, broken clocks): it is clamped to that
// range, and an unset time is the processing time.
const maxRecordSkewMs = int64(time.Hour / time.Millisecond)

func timeMs(ts pcommon.Timestamp, nowMs int64) int64 {
	if ts == 0 {
		return nowMs
	}
	return min(max(int64(ts)/int64(time.Millisecond), nowMs-maxRecordSkewMs), nowMs+maxRecordSkewMs)
}

// sideCode packs a side into the key.
func sideCode(side string) uint8 {
	switch side {
	case contract.SideClient:
		return 1
	case contract.SideServer:
		return 2
	}
	return 3
}

// detectionSide is contract.Side (a callback, pkce.create or pkce.cleanup
// without oauth.side is the client's, as for counting), except that a
// discovery without oauth.side is the client's too: issuers are learned by
// clients, and the mix-up rule compares a callback with them.
func detectionSide(r *record, op string) string {
	if op == contract.OpDiscovery && contract.LookupStr(r.attrs, r.res, contract.AttrSide) == "" {
		return contract.SideClient
	}
	return contract.Side(r.attrs, r.res, r.spanKind)
}

// useTag identifies one use: the trace (two records of one request are the
// same use: a span and its log, a callback and its token exchange, a
// redelivered batch), else the record's time.
func useTag(r *record) uint32 {
	if !r.traceID.IsEmpty() {
		return uint32(mix64(leUint64(r.traceID[0:8])^leUint64(r.traceID[8:16])*31)) & tagMask
	}
	return uint32(mix64(uint64(r.timeMs))) & tagMask
}

func leUint64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
