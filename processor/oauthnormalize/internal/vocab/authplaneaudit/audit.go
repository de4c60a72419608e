// Package authplaneaudit maps AuthPlane audit records (contract section 6),
// as the oauth_audit receiver writes them: oauth.audit.action plus the
// detail, parsed into oauth.audit.detail.* attributes. The receiver already
// writes the operation; this vocabulary adds what it leaves to detection
// today: a family revoked by reuse detection is a reported token_reuse.
package authplaneaudit

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-oauth/otelcol-oauth/internal/contract"
	"github.com/otelcol-oauth/otelcol-oauth/processor/oauthnormalize/internal/vocab"
)

// Map reads one audit log record's attributes into m.
func Map(attrs, res pcommon.Map, m *vocab.Mapping) vocab.Verdict {
	action, ok, wrong := vocab.Str(attrs, contract.AttrAuditAction)
	switch {
	case wrong:
		return vocab.NotMappable(vocab.WrongType)
	case !ok:
		return vocab.Unclaimed
	}
	var am contract.AuditMapping
	if action == contract.AuditFamilyRevoked {
		reuse := reuseDetection(attrs, res)
		am = contract.AuditFamilyRevokedMapping(reuse)
		if reuse {
			m.ReportedEventType = contract.EventTokenReuse
		}
	} else if am, ok = contract.AuditActions[action]; !ok {
		return vocab.NotMappable(vocab.UnknownEvent)
	}
	m.Operation, m.Status, m.Reason, m.GrantType = am.Operation, am.Status, am.Reason, am.GrantType
	m.Side = contract.SideServer
	return vocab.MappedVerdict
}

// reuseDetection reports whether a family.revoked record was raised by
// refresh-token reuse detection: its detail has the reuse_detection flag
// (parsed or raw), or the receiver already gave it reason reuse_detected.
func reuseDetection(attrs, res pcommon.Map) bool {
	if _, flag := attrs.Get(contract.AttrAuditDetailPrefix + contract.AuditFlagReuseDetection); flag {
		return true
	}
	return contract.LookupStr(attrs, res, contract.AttrReason) == contract.ReasonReuseDetected ||
		strings.Contains(contract.LookupStr(attrs, res, contract.AttrAuditDetail), contract.AuditFlagReuseDetection)
}
