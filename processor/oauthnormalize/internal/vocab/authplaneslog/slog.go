// Package authplaneslog maps AuthPlane's slog JSON lines (contract section
// 6): "token issued" with grant_type, client_id and sub is a token (or, for
// the refresh_token grant, a refresh) issued by the server.
package authplaneslog

import (
	"encoding/hex"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/claims"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Map reads one log record into m. A line whose request already has its
// record (the root or service span of the same trace and span id, in
// counted) is claimed but not mapped: one request, one record.
func Map(lr plog.LogRecord, counted *claims.Set, provider string, m *vocab.Mapping) vocab.Verdict {
	attrs := lr.Attributes()
	if !tokenIssued(lr) {
		return vocab.Unclaimed
	}
	grant, _, wrong := vocab.Str(attrs, contract.AuthPlaneSlogGrantType)
	if wrong {
		return vocab.NotMappable(vocab.WrongType)
	}
	adoptTraceContext(lr)
	if !lr.TraceID().IsEmpty() && !lr.SpanID().IsEmpty() && counted.Has(claims.KeyOf(lr.TraceID(), lr.SpanID())) {
		return vocab.NotMappable(vocab.SpanCounted)
	}
	m.Operation = contract.OpToken
	if grant == contract.GrantRefreshToken {
		m.Operation = contract.OpRefresh
	}
	m.GrantType, m.Side, m.Status, m.Provider = grant, contract.SideServer, contract.StatusSuccess, provider
	m.ClientID, _, _ = vocab.Str(attrs, contract.AuthPlaneSlogClientID)
	m.EnduserID, _, _ = vocab.Str(attrs, contract.AuthPlaneSlogSubject)
	return vocab.MappedVerdict
}

// tokenIssued reports whether the line is "token issued": its body (the
// agent moves msg there) or its msg attribute, compared exactly.
func tokenIssued(lr plog.LogRecord) bool {
	if b := lr.Body(); b.Type() == pcommon.ValueTypeStr && b.Str() == contract.AuthPlaneMsgTokenIssued {
		return true
	}
	msg, _, _ := vocab.Str(lr.Attributes(), contract.AuthPlaneSlogMsg)
	return msg == contract.AuthPlaneMsgTokenIssued
}

// adoptTraceContext sets the record's trace and span id from the line's
// trace_id and span_id fields when the record has none, so that the
// metrics connector recognises the line as its span's (it skips a log
// record with the trace and span id of a counted span). Malformed ids are
// ignored.
func adoptTraceContext(lr plog.LogRecord) {
	if !lr.TraceID().IsEmpty() {
		return
	}
	var tid pcommon.TraceID
	var sid pcommon.SpanID
	if !decode(lr.Attributes(), contract.AuthPlaneSlogTraceID, tid[:]) || tid.IsEmpty() {
		return
	}
	lr.SetTraceID(tid)
	if decode(lr.Attributes(), contract.AuthPlaneSlogSpanID, sid[:]) && !sid.IsEmpty() {
		lr.SetSpanID(sid)
	}
}

// decode reads a hex id of exactly len(out) bytes.
func decode(attrs pcommon.Map, key string, out []byte) bool {
	s, ok, _ := vocab.Str(attrs, key)
	if !ok || len(s) != 2*len(out) {
		return false
	}
	_, err := hex.Decode(out, []byte(s))
	return err == nil
}
