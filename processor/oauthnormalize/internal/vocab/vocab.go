// Package vocab holds what every vocabulary of the oauth_normalize processor
// shares: the contract attributes one vocabulary derives from one record
// (Mapping), how it wrote them (Write: never over what the record already
// says), and its verdict on the record (Verdict).
package vocab

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
)

// Vocabulary names, as configured and as the self-telemetry's `vocabulary`
// attribute. Their order is the order of Names.
const (
	Pino = iota
	AuthPlaneAudit
	AuthPlaneSpans
	AuthPlaneSlog
	GenericHTTP
	Keycloak
	Hydra
	NumVocabularies
)

// Names are the vocabulary names by index.
var Names = [NumVocabularies]string{"pino", "authplane_audit", "authplane_spans", "authplane_slog", "generic_http", "keycloak", "hydra"}

// Reasons a claimed record could not be mapped: the `reason` attribute of
// the self-telemetry. Mapped (0) is not a reason.
const (
	Mapped = iota
	// UnknownEvent: the record is in the vocabulary's shape but names an
	// event, action or operation it does not know.
	UnknownEvent
	// WrongType: a field the vocabulary reads has the wrong value type.
	WrongType
	// RootNotInBatch: a service span whose request's root SERVER span is not
	// in the same batch (contract section 6: the record is the root).
	RootNotInBatch
	// SpanCounted: a log line of a request whose span is already the record.
	SpanCounted
	// ChildrenNotInBatch: a request root SERVER span whose children, which
	// alone say what the request was, are not in the same batch.
	ChildrenNotInBatch
	NumReasons
)

// ReasonNames are the reason names by index.
var ReasonNames = [NumReasons]string{"", "unknown_event", "wrong_type", "root_not_in_batch", "span_already_counted", "children_not_in_batch"}

// Verdict is one vocabulary's answer about one record.
type Verdict struct {
	// Claimed: the record is in this vocabulary's shape; no later
	// vocabulary looks at it.
	Claimed bool
	// Reason is Mapped, or why a claimed record was not mapped.
	Reason int
}

// Unclaimed is the verdict on a record the vocabulary does not know.
var Unclaimed = Verdict{}

// MappedVerdict is the verdict on a record the vocabulary mapped.
var MappedVerdict = Verdict{Claimed: true, Reason: Mapped}

// NotMappable is the verdict on a claimed record that was not mapped.
func NotMappable(reason int) Verdict { return Verdict{Claimed: true, Reason: reason} }

// Mapping is what one vocabulary derived from one record. An empty field
// is not known.
type Mapping struct {
	Operation, Side, Status, Reason, GrantType string
	ClientID, EnduserID, Provider              string
	DiscoveryMethod                            string
	// ReportedEventType and IntegrityViolation carry a finding the source
	// reported (contract sections 2 and 6).
	ReportedEventType, IntegrityViolation string
}

// Write puts each known field whose attribute neither the record nor its
// resource has: an attribute the app set itself is never overwritten. A record that
// already names its operation (the app's own oauth.operation, which wins
// over every vocabulary, or the audit receiver's) only gains the reported
// finding, so its own description stays whole. It reports whether it wrote.
func (m *Mapping) Write(attrs, res pcommon.Map) bool {
	wrote := false
	put := func(k, v string) {
		if v == "" {
			return
		}
		if _, ok := contract.Lookup(attrs, res, k); !ok {
			attrs.PutStr(k, v)
			wrote = true
		}
	}
	if contract.Operation(attrs, res) == "" {
		put(contract.AttrOperation, m.Operation)
		put(contract.AttrSide, m.Side)
		put(contract.AttrStatus, m.Status)
		put(contract.AttrReason, m.Reason)
		put(contract.AttrGrantType, m.GrantType)
		put(contract.AttrClientID, m.ClientID)
		put(contract.AttrEnduserID, m.EnduserID)
		put(contract.AttrProvider, m.Provider)
		put(contract.AttrDiscoveryMethod, m.DiscoveryMethod)
	}
	put(contract.AttrReportedEventType, m.ReportedEventType)
	put(contract.AttrIntegrityViolation, m.IntegrityViolation)
	return wrote
}

// WriteWith is Write, then, on a record that did not name its own
// operation, each pair {key, value} of a server vocabulary's extras (such
// as oauth.pkce.reason) with a value whose key neither attrs nor res has.
// It reports whether it wrote.
func (m *Mapping) WriteWith(attrs, res pcommon.Map, extras ...[2]string) bool {
	own := contract.Operation(attrs, res) != ""
	wrote := m.Write(attrs, res)
	if own {
		return wrote
	}
	for _, kv := range extras {
		if kv[1] == "" {
			continue
		}
		if _, ok := contract.Lookup(attrs, res, kv[0]); !ok {
			attrs.PutStr(kv[0], kv[1])
			wrote = true
		}
	}
	return wrote
}

// ServerResult is what a server vocabulary (Keycloak, Hydra) says about
// one request: a Mapping, and the extras written on its record.
type ServerResult struct {
	Mapping
	// Record is false for a claimed request that is no OAuth record.
	Record bool
	// PKCEReason, FlowID and RefreshToken are written as AttrPKCEReason,
	// AttrFlowID and AttrRefreshToken (the presented refresh token's id or
	// signature, which oauth_redact fingerprints and detection correlates).
	PKCEReason, FlowID, RefreshToken string
}

// Write puts the result on the request's record (attrs, res: its root
// SERVER span): the mapping by its rules, then the extras, never over an
// attribute the record has, and only on a record that did not name its
// own operation. It reports whether it wrote.
func (r *ServerResult) Write(attrs, res pcommon.Map) bool {
	return r.Mapping.WriteWith(attrs, res,
		[2]string{contract.AttrPKCEReason, r.PKCEReason},
		[2]string{contract.AttrFlowID, r.FlowID},
		[2]string{contract.AttrRefreshToken, r.RefreshToken})
}

// Str returns the string value of key in m: ok is false when the key is
// absent, wrongType true when it holds another type.
func Str(m pcommon.Map, key string) (s string, ok, wrongType bool) {
	v, found := m.Get(key)
	if !found {
		return "", false, false
	}
	if v.Type() != pcommon.ValueTypeStr {
		return "", false, true
	}
	return v.Str(), true, false
}
