package contract

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Lookup reads an attribute from the record first, then from the resource
// (contract section 1).
func Lookup(record, resource pcommon.Map, key string) (pcommon.Value, bool) {
	if v, ok := record.Get(key); ok {
		return v, true
	}
	return resource.Get(key)
}

// LookupStr is Lookup for string values; a missing key gives "".
func LookupStr(record, resource pcommon.Map, key string) string {
	if v, ok := Lookup(record, resource, key); ok {
		return v.AsString()
	}
	return ""
}

// Operation returns the record's oauth.operation, or "" when it is not an
// OAuth record.
func Operation(record, resource pcommon.Map) string {
	return LookupStr(record, resource, AttrOperation)
}

// Side returns oauth.side, else client for a client operation, else the
// side implied by the span kind (logs pass ptrace.SpanKindUnspecified); the
// rule is SideOf.
func Side(record, resource pcommon.Map, kind ptrace.SpanKind) string {
	return SideOf(LookupStr(record, resource, AttrSide), Operation(record, resource), kind)
}

// Status returns oauth.status, else failure for an ERROR span status, else
// initiated for authorize and success for every other operation; the rule is
// StatusOf.
func Status(record, resource pcommon.Map, op string, code ptrace.StatusCode) string {
	return StatusOf(LookupStr(record, resource, AttrStatus), op, code)
}

// Reason returns oauth.reason, else the default of ReasonOf: normal for a
// successful refresh, valid for a successful pkce.validate, reuse_detected
// for a refresh with status reuse_detected, else "".
func Reason(record, resource pcommon.Map, op, status string) string {
	return ReasonOf(LookupStr(record, resource, AttrReason), op, status)
}

// Bound returns v when it is one of allowed, else Other. It keeps label
// cardinality within the contract's enums.
func Bound(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return Other
}

// IsFindingRecord reports whether the findings connector produced the
// record; such records are never counted nor inspected again.
func IsFindingRecord(record pcommon.Map) bool {
	_, ok := record.Get(AttrFindingSource)
	return ok
}
