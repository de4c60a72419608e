package contract

import "go.opentelemetry.io/collector/pdata/ptrace"

// The derivation rules on attribute values already read from a record. Side,
// Status and Reason look the values up and apply these; a component that
// reads every attribute of a record in one pass (the metrics connector)
// applies them to what it read, so each rule has one owner.

// SideOf returns side when it is client or server, unspecified for any other
// non-empty value; without one, client for the operations that belong to the
// client (ClientOperation), else the side implied by the span kind (logs pass
// ptrace.SpanKindUnspecified). Counting and detection both use it (section 2).
func SideOf(side, op string, kind ptrace.SpanKind) string {
	switch side {
	case SideClient, SideServer:
		return side
	case "":
	default:
		return SideUnspecified
	}
	if ClientOperation(op) {
		return SideClient
	}
	switch kind {
	case ptrace.SpanKindClient:
		return SideClient
	case ptrace.SpanKindServer:
		return SideServer
	}
	return SideUnspecified
}

// ClientOperation reports whether op is the client's when the record does
// not say its side: the redirect URI (callback) and the PKCE state
// (pkce.create, pkce.cleanup) belong to the client, even when its callback
// handler is a SERVER span (section 2).
func ClientOperation(op string) bool {
	return op == OpCallback || op == OpPKCECreate || op == OpPKCECleanup
}

// PKCEStatusOf is the pkce.validate status of an oauth.pkce.reason carried
// on a token exchange (section 1): valid is a success, any other reason a
// failure.
func PKCEStatusOf(reason string) string {
	if reason == ReasonValid {
		return StatusSuccess
	}
	return StatusFailure
}

// StatusOf returns status when set, else failure for an ERROR span status,
// else initiated for authorize and success for every other operation.
func StatusOf(status, op string, code ptrace.StatusCode) string {
	if status != "" {
		return status
	}
	if code == ptrace.StatusCodeError {
		return StatusFailure
	}
	if op == OpAuthorize {
		return StatusInitiated
	}
	return StatusSuccess
}

// ReasonOf returns reason when set, else the default reason of a successful
// refresh (normal) or pkce.validate (valid), else reuse_detected for a
// refresh with status reuse_detected, else "". The last default makes an
// app-reported reuse count like a detected one, which the security processor
// marks with both status and reason reuse_detected (section 5).
func ReasonOf(reason, op, status string) string {
	if reason != "" {
		return reason
	}
	switch status {
	case StatusSuccess:
		switch op {
		case OpRefresh:
			return ReasonNormal
		case OpPKCEValidate:
			return ReasonValid
		}
	case StatusReuseDetected:
		if op == OpRefresh {
			return ReasonReuseDetected
		}
	}
	return ""
}
